// libxlsxwriter (XLSX exports and download templates), from Debian (package libxlsxwriter-dev).
// Only SafeCertDocuments imports this module, through Spreadsheets/XLSXWriter.swift.
#ifndef SAFECERT_CXLSXWRITER_SHIM_H
#define SAFECERT_CXLSXWRITER_SHIM_H

#include <xlsxwriter.h>

#endif

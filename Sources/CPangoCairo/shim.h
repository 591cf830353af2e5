// Umbrella header for Cairo (PDF surfaces) and Pango (text layout) from Debian
// (packages libcairo2-dev and libpango1.0-dev). Only SafeCertDocuments imports this module;
// everything else goes through its Swift wrappers in Sources/SafeCertDocuments/PDF.
#ifndef SAFECERT_CPANGOCAIRO_SHIM_H
#define SAFECERT_CPANGOCAIRO_SHIM_H

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#endif

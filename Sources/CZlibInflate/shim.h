// Umbrella header for zlib (Debian package zlib1g-dev): raw inflate and CRC-32 for reading ZIP
// archives (photo ZIPs, .xlsx packages) under limits, and gzip for the certificate status list.
// Only SafeCertDocuments imports this module; everything else goes through BoundedZIPReader and
// StatusListEncoding.
#ifndef SAFECERT_CZLIBINFLATE_SHIM_H
#define SAFECERT_CZLIBINFLATE_SHIM_H

#include <zlib.h>

#endif

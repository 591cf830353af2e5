// Umbrella header for the system TurboJPEG API (Debian package libturbojpeg0-dev).
// Only SafeCertDocuments imports this module; everything else goes through its Swift wrappers.
#ifndef SAFECERT_CTURBOJPEG_SHIM_H
#define SAFECERT_CTURBOJPEG_SHIM_H

#include <turbojpeg.h>

#endif

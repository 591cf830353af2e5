// Umbrella header for libqrencode (Debian package libqrencode-dev): QR code symbols as a
// matrix of modules. Only SafeCertDocuments imports this module; everything else goes through
// its Swift wrapper in Sources/SafeCertDocuments/QR.
#ifndef SAFECERT_CQRENCODE_SHIM_H
#define SAFECERT_CQRENCODE_SHIM_H

#include <qrencode.h>

#endif

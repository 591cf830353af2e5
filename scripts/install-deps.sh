#!/usr/bin/env bash
# Installs the Debian packages (and Python tools) SafeCert needs, only those missing.
#   install-deps.sh run   — what `make run` needs
#   install-deps.sh test  — also PostgreSQL, chromium + chromedriver, selenium, pytest and schemathesis
set -euo pipefail
mode="${1:-run}"

# ffmpeg: its ffprobe reads an uploaded lesson's real format and length (tests also make videos with ffmpeg).
packages=(ca-certificates curl sqlite3 pkg-config libturbojpeg0-dev libcairo2-dev libpango1.0-dev libqrencode-dev libxlsxwriter-dev zlib1g-dev fonts-noto-cjk ffmpeg)
if [ "$mode" = "test" ]; then
  packages+=(postgresql chromium chromium-driver libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils zbar-tools)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$mode" = "test" ]; then
  if ! python3 -c "import selenium, pytest, openpyxl, requests" 2>/dev/null; then
    echo "Installing Python packages: selenium pytest openpyxl requests"
    python3 -m pip install --quiet selenium pytest openpyxl requests 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages selenium pytest openpyxl requests
  fi
  if ! python3 -c "import schemathesis" 2>/dev/null; then
    echo "Installing Python packages: schemathesis"
    python3 -m pip install --quiet "schemathesis>=4,<5" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "schemathesis>=4,<5"
  fi
fi

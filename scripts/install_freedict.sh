#!/usr/bin/env bash
# Debian FreeDict dictionaries for the offline `dictionary` translator (read at run time, GPL: never vendored).
# Best effort: needs apt-get and root; without them the translator uses the kit's lexicons only and says so
# in its model id (and coverage) in every dataset card.
set -u
PKGS="dict-freedict-eng-swh dict-freedict-eng-ara dict-freedict-eng-hin dict-freedict-eng-rus dict-freedict-eng-tur dict-freedict-eng-bul dict-freedict-eng-deu dict-freedict-eng-ell dict-freedict-eng-fra dict-freedict-eng-spa"
missing=""
for p in $PKGS; do
  code=${p#dict-freedict-eng-}
  [ -f "/usr/share/dictd/freedict-eng-$code.index" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing FreeDict:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
    || echo "note: apt-get could not install$missing; the dictionary translator will use the kit lexicons only"
else
  echo "note: FreeDict not installed ($missing); run as root: apt-get install$missing"
fi
exit 0

#!/usr/bin/env bash
# Debian data read at run time (never vendored): FreeDict dictionaries for the offline `dictionary` translator
# and code-switching (GPL), and English WordNet 3.0 for TextAttack's synonym swaps.
# Best effort: needs apt-get and root; without FreeDict the translator uses the kit's lexicons only (and says
# so in every dataset card); without WordNet the `wordnet` perturbation says what to install.
set -u
PKGS="dict-freedict-eng-swh dict-freedict-eng-ara dict-freedict-eng-hin dict-freedict-eng-rus dict-freedict-eng-tur dict-freedict-eng-bul dict-freedict-eng-deu dict-freedict-eng-ell dict-freedict-eng-fra dict-freedict-eng-spa"
missing=""
for p in $PKGS; do
  code=${p#dict-freedict-eng-}
  [ -f "/usr/share/dictd/freedict-eng-$code.index" ] || missing="$missing $p"
done
[ -f /usr/share/wordnet/data.noun ] || missing="$missing wordnet-base"
[ -f /usr/share/wordnet/index.sense ] || missing="$missing wordnet-sense-index"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
    || echo "note: apt-get could not install$missing (FreeDict: kit lexicons only; WordNet: no synonym swaps)"
else
  echo "note: not installed:$missing; run as root: apt-get install$missing"
fi
exit 0

#!/usr/bin/env bash
# Debian data read at run time (never vendored): FreeDict dictionaries for the offline `dictionary` translator
# and code-switching (GPL; the X-eng ones give it a reverse direction for round-trip quality), Apertium and its
# English pairs for the offline `apertium` translator (GPL), and English WordNet 3.0 for TextAttack's synonym swaps.
# Best effort: needs apt-get and root; without FreeDict the translator uses the kit's lexicons only (and says
# so in every dataset card); without WordNet the `wordnet` perturbation says what to install.
set -u
PKGS="dict-freedict-eng-swh dict-freedict-eng-ara dict-freedict-eng-hin dict-freedict-eng-rus dict-freedict-eng-tur dict-freedict-eng-bul dict-freedict-eng-deu dict-freedict-eng-ell dict-freedict-eng-fra dict-freedict-eng-spa"
REVERSE="dict-freedict-swh-eng dict-freedict-ara-eng dict-freedict-tur-eng dict-freedict-deu-eng dict-freedict-ell-eng dict-freedict-fra-eng dict-freedict-spa-eng"
APERTIUM="apertium-eng-spa apertium-eng-cat apertium-en-gl"   # eng-spa, eng-cat, en-gl and their reverse modes
missing=""
for p in $PKGS; do
  code=${p#dict-freedict-eng-}
  [ -f "/usr/share/dictd/freedict-eng-$code.index" ] || missing="$missing $p"
done
for p in $REVERSE; do
  code=${p#dict-freedict-}
  [ -f "/usr/share/dictd/freedict-$code.index" ] || missing="$missing $p"
done
command -v apertium >/dev/null 2>&1 || missing="$missing apertium"
for p in $APERTIUM; do
  [ -d "/usr/share/apertium/${p}" ] || missing="$missing $p"
done
[ -f /usr/share/wordnet/data.noun ] || missing="$missing wordnet-base"
[ -f /usr/share/wordnet/index.sense ] || missing="$missing wordnet-sense-index"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
    || echo "note: apt-get could not install$missing (FreeDict: kit lexicons only; Apertium: --translator apertium unavailable; WordNet: no synonym swaps)"
else
  echo "note: not installed:$missing; run as root: apt-get install$missing"
fi
exit 0

"""Set English translations in the catalog and clear their fuzzy flags.

Usage: python scripts/po_set.py src/zhigai/locale/en/LC_MESSAGES/django.po < translations.json
where translations.json maps Chinese msgids to English msgstrs. Run `msgcat --no-wrap -o F F` first so
that every msgid sits on one line; then scripts/update_translations.sh --compile-only.
"""

import json
import re
import sys


def main() -> None:
    translations = json.load(sys.stdin)
    path = sys.argv[1]
    with open(path, encoding="utf-8") as handle:
        blocks = handle.read().split("\n\n")
    out = []
    for block in blocks:
        found = re.search(r'^msgid "(.*)"$', block, re.M)
        if found and found.group(1) in translations and "msgid_plural" not in block:
            # The file's last block ends with its newline: keep it after the new msgstr, not before.
            tail = block[len(block.rstrip("\n")):]
            lines = [line for line in block.rstrip("\n").split("\n") if not line.startswith(("#, fuzzy", "#|"))]
            kept, in_msgstr = [], False
            for line in lines:
                if line.startswith("msgstr"):
                    in_msgstr = True
                    continue
                if in_msgstr and line.startswith('"'):
                    continue
                in_msgstr = False
                kept.append(line)
            escaped = translations[found.group(1)].replace('"', '\\"')
            kept.append(f'msgstr "{escaped}"')
            block = "\n".join(kept) + tail
        out.append(block)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n\n".join(out))


if __name__ == "__main__":
    main()

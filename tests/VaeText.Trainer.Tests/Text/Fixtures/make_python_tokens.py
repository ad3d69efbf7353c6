#!/usr/bin/env python3
"""Writes python_tokens.tsv: random mixed-script strings and Python's re.findall(r"[^\W_]+", s.lower()) tokens,
the benchmark tokenizer rule that VaeText.Text.Tokenizer (with SplitCjk = false) must reproduce.
Columns: text<TAB>tokens separated by U+0001. Deterministic (seeded); python3 standard library."""
import random, re, unicodedata

rng = random.Random(7)
TOKEN = re.compile(r"[^\W_]+")
cats = ("Mn", "Mc", "Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Pc", "Pd", "Po", "Sk", "So", "Sm", "Zs", "Cf")
pool = [c for c in range(0xA0, 0x30000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) in cats and chr(c) not in "\u2028\u2029\x85"]
with open("python_tokens.tsv", "w", encoding="utf-8", newline="\n") as f:
    for _ in range(600):
        s = "".join(chr(rng.choice(pool)) if rng.random() < 0.45 else rng.choice("aZe9 '_-.,ΣσİıßЁ0\u0301")
                    for _ in range(rng.randint(1, 16)))
        if s.strip() != s or "\t" in s:
            s = s.strip().replace("\t", " ")
        if not s:
            continue
        f.write(s + "\t" + "\x01".join(TOKEN.findall(s.lower())) + "\n")

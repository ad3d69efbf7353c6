#!/usr/bin/env python3
"""Converts an extracted dataset archive into label<TAB>text train.tsv/test.tsv (used by fetch.sh).
Usage: convert.py NAME EXTRACTED_DIR OUT_DIR"""
import csv, glob, os, random, re, sys


def clean(text):
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def write(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("label\ttext\n")
        for label, text in rows:
            f.write(f"{label}\t{clean(text)}\n")
    os.replace(tmp, path)


def find(root, name):
    for dirpath, dirnames, filenames in os.walk(root):
        if name in dirnames or name in filenames:
            return os.path.join(dirpath, name)
    sys.exit(f"convert.py: '{name}' not found under {root}: unexpected archive layout")


def imdb(src):
    base = find(src, "aclImdb")
    for split in ("train", "test"):
        rows = []
        for label in ("pos", "neg"):
            for p in sorted(glob.glob(os.path.join(base, split, label, "*.txt"))):
                with open(p, encoding="utf-8") as f:
                    rows.append((label, f.read().replace("<br />", " ")))
        yield split, rows


def sms_spam(src):
    with open(find(src, "SMSSpamCollection"), encoding="utf-8") as f:
        rows = [tuple(line.rstrip("\n").split("\t", 1)) for line in f if line.strip()]
    random.Random(1).shuffle(rows)
    cut = int(len(rows) * 0.8)
    yield "train", rows[:cut]
    yield "test", rows[cut:]


def news20(src):
    for split in ("train", "test"):
        base = find(src, f"20news-bydate-{split}")
        rows = []
        for group in sorted(os.listdir(base)):
            for p in sorted(glob.glob(os.path.join(base, group, "*"))):
                with open(p, encoding="latin-1") as f:
                    rows.append((group, f.read()))
        yield split, rows


def ag_news(src):
    names = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}
    for split in ("train", "test"):
        with open(find(src, f"{split}.csv"), encoding="utf-8", newline="") as f:
            rows = [(names[c], (t + " " + d).replace("\\n", " ").replace("\\", " ")) for c, t, d in csv.reader(f)]
        yield split, rows


def main():
    name, src, out = sys.argv[1:4]
    conv = {"imdb": imdb, "sms_spam": sms_spam, "20news": news20, "ag_news": ag_news}[name]
    os.makedirs(out, exist_ok=True)
    for split, rows in conv(src):
        write(os.path.join(out, f"{split}.tsv"), rows)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes datasets/sample/train.tsv and test.tsv: a small labelled corpus written for VaeText.

Five topics (sports, technology, cooking, finance, travel). Each document is built from topic-specific sentence
templates filled with topic words, mixed with sentences and words shared by all topics, so the classes are
learnable but not trivially separable; 3% of the labels are flipped on purpose (noise). About one document in
ten is in Chinese (simplified), spread over all topics. Deterministic: python3 standard library, fixed seed.
Usage: python3 datasets/sample/generate.py [--out DIR]
"""
import argparse, os, random

SEED = 20240611
N_TRAIN, N_TEST = 500, 150
NOISE = 0.03
CHINESE_SHARE = 0.1

TOPICS = {
    "sports": {
        "words": ["team", "coach", "season", "goal", "match", "league", "players", "score", "championship", "defense",
                  "striker", "stadium", "fans", "referee", "tournament", "injury", "victory", "training"],
        "templates": [
            "The {w} looked sharp after a week of {w}.",
            "Our {w} won the {w} with a late {w}.",
            "Fans packed the {w} to watch the {w} against the rivals.",
            "The {w} said the {w} must improve before the next {w}.",
            "A {w} in the second half changed the whole {w}.",
            "After the {w}, the {w} thanked the {w} for their support.",
        ],
    },
    "technology": {
        "words": ["software", "chip", "startup", "app", "cloud", "data", "network", "update", "battery", "processor",
                  "developers", "security", "device", "algorithm", "server", "robot", "browser", "model"],
        "templates": [
            "The new {w} ships with a faster {w} and a bigger {w}.",
            "Engineers fixed a {w} bug in the {w} last night.",
            "The {w} raised money to build a {w} for small businesses.",
            "Users say the latest {w} drains the {w} too quickly.",
            "The {w} team moved every {w} to the {w}.",
            "Researchers trained a {w} on public {w} to test the {w}.",
        ],
    },
    "cooking": {
        "words": ["recipe", "garlic", "oven", "butter", "flour", "sauce", "pasta", "onion", "spices", "soup",
                  "dough", "chicken", "salad", "pan", "lemon", "tomatoes", "dessert", "kitchen"],
        "templates": [
            "Stir the {w} into the {w} and simmer for ten minutes.",
            "This {w} needs fresh {w} and a little {w}.",
            "Preheat the {w} before you add the {w}.",
            "My grandmother kept her {w} for {w} in a small notebook.",
            "Slice the {w} thinly and fry it in the {w} with {w}.",
            "A good {w} starts with {w} from the market.",
        ],
    },
    "finance": {
        "words": ["market", "stocks", "bank", "interest", "inflation", "investors", "shares", "bonds", "profit",
                  "revenue", "loan", "budget", "currency", "earnings", "fund", "tax", "prices", "dividend"],
        "templates": [
            "The {w} fell after the {w} report surprised {w}.",
            "Analysts expect {w} to rise if {w} stays high.",
            "The {w} cut its {w} forecast for the year.",
            "Quarterly {w} beat estimates and the {w} jumped.",
            "Households worry that {w} will eat into the {w}.",
            "The central {w} kept {w} rates unchanged this month.",
        ],
    },
    "travel": {
        "words": ["flight", "hotel", "beach", "museum", "passport", "train", "island", "tourists", "luggage",
                  "airport", "mountains", "guide", "ticket", "city", "village", "ferry", "trip", "map"],
        "templates": [
            "We missed the {w} and spent the night near the {w}.",
            "The {w} to the {w} takes about three hours.",
            "Pack light: the {w} charges extra for {w}.",
            "Our {w} showed us a quiet {w} away from the {w}.",
            "Book the {w} early, the {w} fills up in summer.",
            "From the {w} you can see the {w} at sunset.",
        ],
    },
}

# Chinese words and templates per topic; {w} is a topic word.
ZH = {
    "sports": (["球队", "教练", "比赛", "进球", "联赛", "球迷", "冠军", "训练"],
               ["今天的{w}非常精彩，{w}表现很好。", "{w}说下一场{w}会更加努力。", "这个赛季{w}终于拿到了{w}。"]),
    "technology": (["软件", "芯片", "手机", "数据", "网络", "电池", "算法", "服务器"],
                   ["新款{w}的{w}速度更快了。", "工程师修复了{w}里的一个问题。", "这家公司用{w}改进了{w}。"]),
    "cooking": (["菜谱", "大蒜", "面粉", "酱油", "米饭", "鸡蛋", "厨房", "汤"],
                ["先把{w}放进锅里，再加一点{w}。", "奶奶的{w}总是很香。", "做这道菜需要新鲜的{w}和{w}。"]),
    "finance": (["股市", "银行", "利率", "投资者", "股票", "通胀", "利润", "基金"],
                ["今天{w}下跌，{w}有些担心。", "{w}决定保持{w}不变。", "公司的{w}比去年增长了。"]),
    "travel": (["航班", "酒店", "海滩", "博物馆", "护照", "火车", "城市", "导游"],
               ["我们坐{w}去了那个{w}。", "{w}旁边有一家很好的{w}。", "别忘了带{w}，{w}很早就出发。"]),
}
ZH_SHARED = ["大家都觉得不错。", "新闻里也报道了这件事。", "很多人在网上讨论。", "明天还会继续。"]

SHARED_SENTENCES = [
    "Many people talked about it this week.",
    "It was a long day, but worth it.",
    "The report came out on Monday morning.",
    "Nobody expected the news to spread so fast.",
    "Some readers disagreed in the comments.",
    "More details will follow later today.",
    "It's not the first time this has happened.",
    "Local media covered the story in detail.",
]
SHARED_WORDS = ["new", "great", "people", "time", "year", "best", "world", "big", "first", "news", "local", "record"]


def english_doc(rng, topic):
    spec = TOPICS[topic]
    sentences = []
    for _ in range(rng.randint(2, 4)):
        t = rng.choice(spec["templates"])
        while "{w}" in t:
            # mostly this topic's words, sometimes a word of another topic or a shared word (overlap)
            r = rng.random()
            if r < 0.78:
                w = rng.choice(spec["words"])
            elif r < 0.9:
                w = rng.choice(SHARED_WORDS)
            else:
                w = rng.choice(TOPICS[rng.choice(list(TOPICS))]["words"])
            t = t.replace("{w}", w, 1)
        sentences.append(t)
    if rng.random() < 0.6:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(SHARED_SENTENCES))
    return " ".join(sentences)


def chinese_doc(rng, topic):
    words, templates = ZH[topic]
    parts = []
    for _ in range(rng.randint(1, 3)):
        t = rng.choice(templates)
        while "{w}" in t:
            w = rng.choice(words) if rng.random() < 0.85 else rng.choice(ZH[rng.choice(list(ZH))][0])
            t = t.replace("{w}", w, 1)
        parts.append(t)
    if rng.random() < 0.5:
        parts.append(rng.choice(ZH_SHARED))
    return "".join(parts)


def make(rng, n):
    topics = list(TOPICS)
    rows = []
    for i in range(n):
        topic = topics[i % len(topics)]
        text = chinese_doc(rng, topic) if rng.random() < CHINESE_SHARE else english_doc(rng, topic)
        label = topic
        if rng.random() < NOISE:
            label = rng.choice([t for t in topics if t != topic])
        assert "\t" not in text and "\n" not in text
        rows.append((label, text))
    rng.shuffle(rows)
    return rows


def write(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("label\ttext\n")
        for label, text in rows:
            f.write(f"{label}\t{text}\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    rng = random.Random(SEED)
    write(os.path.join(args.out, "train.tsv"), make(rng, N_TRAIN))
    write(os.path.join(args.out, "test.tsv"), make(rng, N_TEST))


if __name__ == "__main__":
    main()

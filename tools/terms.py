"""One term per concept in every Chinese text: the glossary's terms and the variants found beside them.

    python tools/terms.py            # each concept: its term and every variant, with counts (exit 1
                                     # when a variant that is not the glossary's is used)
    python tools/terms.py --where    # also where each variant is used

The Chinese texts are what a learner of the Chinese lessons reads: the lessons' markdown
cells (``notebooks/zh/``), the glossary, README.zh-CN.md, the guides (``docs/*zh*.md``) and
the catalogue's translations (``labkit/locale/zh_CN/LC_MESSAGES/messages.po``). ``GLOSSARY``
lists, for each concept of docs/i18n.md's *Terms*, the term the texts use and the other words
a text could use for it: a variant marked ``None`` is not the glossary's (tests/test_translations.py
fails while any text uses it); one with a reason is another concept, or the same said another
way on purpose, and the reason says why both are right. tests/test_translations.py's
``VARIANTS`` holds the variants found (and made the term's) before this table.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit import i18n  # noqa: E402  (the repository's labkit, as the other tools read it)


@dataclass(frozen=True)
class Term:
    concept: str  # in English, as the English texts say it
    term: str  # a pattern: the glossary's word
    # other words for it (patterns): None if not the glossary's, else why both are right
    variants: dict[str, str | None] = field(default_factory=dict)


GLOSSARY = (
    Term("origin server", "源服务器", {"源站|源主机|原始服务器|源端": None}),
    Term(
        "gateway",
        "网关",
        {
            "(?<!反向)代理": "a proxy (RFC 9110 3.7: any intermediary that forwards, a forward "
            "proxy, jupyter-server-proxy) where the English says proxy; the lab's reverse proxy "
            "is its gateway, 网关",
            "反向代理": "what a gateway is, said once where the lessons and README define it",
        },
    ),
    Term(
        "upstream",
        "上游",
        {
            "后端": "HAProxy's own word (its configuration's backend) in its log line's gloss",
        },
    ),
    Term(
        "connection refused",
        "连接被拒绝",
        {
            "拒绝了?连接": "a sentence whose subject refuses (上游拒绝了连接, HAProxy's "
            "“服务器拒绝了连接”); the condition's name is 连接被拒绝",
            "连接遭拒": None,
        },
    ),
    Term("read timeout", "读取超时", {"读超时": None}),
    Term("connect timeout", "连接超时", {"建连超时|连接的超时": None}),
    Term(
        "header",
        "标头",
        {
            r"(?<!叫作\*\*)(?<!（)首部|报头": None,
            r"叫作\*\*首部": "《图解HTTP》's word, named in the glossary's note beside 标头",
        },
    ),
    Term(
        "body",
        "正文",
        {
            "消息体": None,
            "主体": "MDN zh-CN's word (主体, 消息主体) and 《图解HTTP》's (报文主体), named "
            "in the glossary's note beside 正文",
        },
    ),
    Term("response", "响应", {"应答|答复|回复": None}),
    Term("status code", "状态码", {"状态代码": None}),
    Term("learner", "学员", {"学生|学习者": None}),
    Term("instructor", "讲师", {"老师|教师": None}),
    Term("log out", "退出登录", {"登出|注销": None}),
    Term("captive portal", "强制门户", {"认证门户|门户网站|强制网络门户": None}),
    Term("traceback", "回溯", {"堆栈跟踪|调用栈|栈回溯": None}),
    Term("handler", "处理函数", {"处理程序|处理器": None}),
    Term("personality", "行为模式", {"人格|个性": None}),
    Term("misbehaving upstream", "故意出错的上游", {"故障上游|有问题的上游": None}),
    Term("playground", "练习场", {"游乐场|演练场": None}),
    Term(
        "token (a secret in a URL)",
        "令牌",
        {
            r"(?<![?&])\btoken\b(?![=，）])": None,
            r"token(?=[=，）])": "a URL's parameter name (?token=...) or RFC 9110's grammar "
            "token (5.6.2: 一个 token), kept as written",
        },
    ),
    Term("course exchange", "交换目录", {"交换区": None}),
    Term("gradebook", "成绩册", {"成绩单": None}),
    Term("capstone", "综合练习", {"毕业设计|总结练习": None}),
    Term("rate limit", "速率限制", {"限速|限流|频率限制": None}),
    Term("loopback", "回环", {"环回": None}),
    Term("owner", "属主", {"所有者|拥有者": None}),
    Term("widget", "小部件", {"组件": None, "控件": "a control (a button, a box, a list) of one"}),
    Term(
        "drill",
        "演练",
        {
            # lesson 10 said "加入演练时 drill 会说出属主的名字" until December 2026; the
            # command (`labkit drill start`), code (`drill.hint()`) and the file name stay
            r"(?<![\w.`/\-])(?<!incident )(?<!labkit )drill(?![\w.`(/\-])": None,
            "演习": None,
        },
    ),
    # the drill's goodbye and lesson 05 q5's hint said 实验环境 where everything else says
    # 实验室 until December 2026
    Term("lab", "实验室", {"实验环境": None}),
    # an HTTP message is 消息 as MDN zh-CN writes it (HTTP 消息); lesson 02 and the guide said
    # 报文 once each until December 2026; 《图解HTTP》's 报文主体 is named in the glossary's note
    Term("message", "消息", {"报文(?!主体)": None}),
    # lesson 00's map said "这个 notebook" where README, the guide and the catalogue say 笔记本
    # until December 2026; a path, a placeholder or a product name (Jupyter Notebook) stays
    Term("notebook", "笔记本", {r"(?<![\w/{.\-`])(?<!Jupyter )[Nn]otebook(?![\w/}.\-`])": None}),
    Term(
        "load shedding, a shed request",
        "卸载",
        {"丢弃": "dropping bytes, a SYN or trailer fields: not a request shed"},
    ),
    Term("keep-alive", "keep-alive", {"长连接": None, "持久连接": "keep-alive's gloss"}),
    Term("overload", "过载", {"超负载|超负荷": None}),
    Term("socket", "套接字", {r"\bsocket\b": None}),  # (websocket is one word: no match)
    Term("backoff", "退避", {"回退": None}),
    # /chat's 426 page, its scenario, lesson 06 and the glossary said the resource 只讲
    # WebSocket ("only speaks") until December 2026: a resource uses a protocol
    Term("speaks WebSocket only", "只使用 WebSocket", {"只讲": None}),
    # the slow upstream of lessons 05 and 08 is 慢上游 as the exercises and lesson 05 say; the
    # 504 playground's labels and README.zh-CN.md said 慢速上游服务器 until December 2026
    Term("the slow upstream", "慢上游", {"慢速上游": None}),
    # HTTP/2 spoken at once by a client that knows (RFC 9113 3.3) is 事先知道 as lesson 06
    # says; 505 q4's solution said 先验知识 until December 2026
    Term("prior knowledge", "事先知道", {"先验知识": None}),
    # an exercise that has the learner change the lab ("Make it happen") is 动手引发它, as the
    # catalogue's prompts say; the lessons' headings said 让它发生 (a word-for-word "let it
    # happen") until December 2026. Lesson 00's "一个让它发生的 run(lab)" is a scenario's run
    Term("make it happen (an exercise)", "动手引发它", {"让它发生(?!的)": None}),
    # what a phone says with no internet behind the Wi-Fi (Android: 无法访问互联网), as lesson
    # 07 says it; its exercise said 无互联网连接 and 没有网络 until December 2026
    Term("no internet (a phone's words)", "无法访问互联网", {"无互联网连接|“没有网络”": None}),
)


def chinese_prose(root: Path = ROOT) -> dict[str, str]:
    """The Chinese lessons' markdown cells, the glossary, README.zh-CN.md and the guides, by
    where each is."""
    texts = {
        f"{path.relative_to(root)} cell {i}": "".join(cell["source"])
        for path in sorted((root / "notebooks" / "zh").glob("*.ipynb"))
        for i, cell in enumerate(json.loads(path.read_text())["cells"])
        if cell["cell_type"] == "markdown"
    }
    for path in (
        root / "notebooks" / "zh" / "glossary.md",
        root / "README.zh-CN.md",
        *sorted((root / "docs").glob("*zh*.md")),
    ):
        texts[str(path.relative_to(root))] = path.read_text()
    return texts


def chinese_texts(root: Path = ROOT) -> dict[str, str]:
    """What a learner of the Chinese lessons reads, by where it is: the prose and the
    catalogue's translations."""
    texts = chinese_prose(root)
    po = i18n.po_path(i18n.CHINESE)
    for entry in i18n.read_po(po):
        texts[f"messages.po line {entry.line}"] = "".join(entry.msgstr.values())
    return texts


def uses(pattern: str, texts: dict[str, str]) -> list[tuple[str, str]]:
    """Each use of ``pattern``: where, and the words around it."""
    return [
        (name, text[max(0, m.start() - 20) : m.end() + 20].replace("\n", " "))
        for name, text in texts.items()
        for m in re.finditer(pattern, text)
    ]


def not_the_glossarys(texts: dict[str, str]) -> list[str]:
    """Every use of a variant that is not the glossary's, as a line naming the term to use."""
    return [
        f"{name}: say {t.term} ({t.concept}): ...{around}..."
        for t in GLOSSARY
        for variant, why in t.variants.items()
        if why is None
        for name, around in uses(variant, texts)
    ]


def main(argv: list[str]) -> int:
    texts = chinese_texts()
    wrong = False
    for t in GLOSSARY:
        found = {variant: uses(variant, texts) for variant in t.variants}
        counts = [f"{t.term} {len(uses(t.term, texts))}"]
        counts += [f"{variant} {len(places)}" for variant, places in found.items()]
        print(f"{t.concept}: " + ", ".join(counts))
        for variant, why in t.variants.items():
            wrong = wrong or (why is None and bool(found[variant]))
            if found[variant] and (why is None or "--where" in argv):
                label = "NOT THE GLOSSARY'S" if why is None else f"both right: {why}"
                print(f"    {variant}: {label}")
                for name, around in found[variant]:
                    print(f"      {name}: ...{around}...")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

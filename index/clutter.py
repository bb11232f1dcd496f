"""Web and scrape clutter: one table of line rules, and the markers after which a page holds only teasers.

Rules match whole lines (blocks). A rule never matches a line that carries a sentence of policy text: each
pattern is anchored on furniture vocabulary (pagers, 备案号, 供图, 上传人 …) and most are length-bounded.

Some rows are not furniture but document metadata that must not become clauses either (抄送 and 印发 lines, the
公开属性 note, a signature date written in Chinese numerals): the parser turns what those rows match into facts
(`FACT_RULES`) instead of dropping it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ClutterRule:
    name: str
    pattern: re.Pattern[str]
    max_len: int = 80


def _r(name: str, pattern: str, max_len: int = 80) -> ClutterRule:
    return ClutterRule(name, re.compile(pattern), max_len)


_NOT_CHAPTER = r"^(?!第\s*[\d一二三四五六七八九十百〇零两]+\s*[编章节条])"

LINE_RULES: tuple[ClutterRule, ...] = (
    _r("breadcrumb", r"^(当前位置|您的位置|您现在的位置|位置|當前位置)\s*[:：]"),
    _r("breadcrumb", r"^[^。；,，]{1,30}(\s*[>＞»]\s*[^。；,，>]{1,20}){2,}$"),
    # A pager line holds no sentence: "详见下一页附表，…。" is policy text.
    _r("pager", r"^[^，。；,;]*(上一页|下一页|上一頁|下一頁|首页\s*\d|尾页)[^，。；,;]*$"),
    _r("pager", r"^(\[\d+\]\s*)+$"),
    _r("font-size", r"^(字号|字體|字体)\s*[:：]"),
    _r("font-size", r"^[大中小]\s+[大中小]\s+[大中小]$"),
    # "扫码" alone is policy as often as furniture (扫码登记, 扫码支付): only a scan-to-read-this-page line is clutter.
    _r(
        "share",
        r"(扫一扫|掃一掃|(扫码|掃碼)(使用手机|用手机|手机浏览|浏览|阅读|閱讀|关注|關注|分享|打开)|分享到|打印本页|打印本頁|关闭窗口|"
        r"關閉窗口|收藏此文章|【打印】|【关闭】)",
    ),
    _r("site-link", r"^(查看原文|政策详情|资源描述|点击查看更多.*|展开阅读全文|相关搜索|返回\s+下载.*|在线阅读)$"),
    _r(
        "copyright",
        r"(版权所有|版權所有|Copyright|©|ICP备|ICP證|ICP证|公网安备|公網安備|经营许可证\s*[:：编号]|备案号|技术支持\s*[:：])",
    ),
    _r("copyright", r"(如有侵权|如有侵權|联系删除|來源於網絡|来源于网络).*", 120),
    # "张三 摄" credits a photo; "组织开展安全教育视频拍摄" is a task that ends in 摄.
    _r("image-credit", r"^.{0,30}(供图|供圖|摄影|攝影|图片来源|圖片來源|\s摄|\s攝)\s*$", 40),
    _r("source-line", r"^(来源|來源|信息来源|文章来源|作者|编辑|責任編輯|责任编辑)\s*[:：]", 60),
    # "XX区教育局办公室　2023年5月6日印发": the printing office and date at the foot of an official document.
    _r("print-line", r"^[^。；]{0,40}?\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(印发|印發|印制|印製)$"),
    # A signature date in Chinese numerals ("二〇二三年十二月五日"), as typed under the issuing bodies.
    _r(
        "dated-source",
        r"^[〇零一二三四五六七八九○Ｏ]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日$",
    ),
    _r(
        "dated-source",
        # The source after the date is set apart by a space: "2024年3月1日起施行" is a provision.
        r"^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(\s+\d{1,2}:\d{2}(:\d{2})?)?(\s*点击[:：]?\s*\d*|\s+[^\s。]{1,12})?$",
        50,
    ),
    # Labels of a file-sharing site's header, each with its colon: "无需上传人事档案" is policy text.
    _r("upload-header", r"(上传人|上傳人|文档编号|上传时间|文档格式|页数)\s*[:：]"),
    _r("page-marker", r"^.{0,60}_第\d+页$"),
    _r("page-marker", r"^第\s*\d+\s*页\s*[/／]\s*共\s*\d+\s*页$"),
    _r("page-marker", r"^[-—–]\s*\d+\s*[-—–]$"),
    _r("shared-by", r"由会员分享.*(搜索|下载)", 200),
    _r("blank-page", r"^[(（]此页无正文[)）]$"),
    _r("publish-info", r"^(发文单位|发布地区|发布日期|发布时间|发布机构|成文日期)\s*[:：]", 120),
    # "时间：2024-05-06" alone under a web page's heading is its publication date, not text.
    _r("publish-info", r"^(时间|日期|時間)\s*[:：]\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$", 24),
    # Keyword tags ("通知 文化教育"); a spaced chapter heading ("第一章　总　则") looks the same and is content.
    _r("tags", _NOT_CHAPTER + r"([\u4e00-\u9fff]{1,4}\s+){1,4}[\u4e00-\u9fff]{1,4}$", 20),
    # Document metadata below the body: distribution list, printing office and date, disclosure note.
    _r("cc-line", r"^(抄送|抄報|抄报|分送)\s*[:：]", 500),
    _r("addressee-line", r"^(主送|主送机关|主送單位)\s*[:：]", 200),
    _r("disclosure", r"^[(（]\s*此件(公开发布|主动公开|依申请公开|不予公开|不公开|公開發布|主動公開)\s*[)）]$"),
)

# Rows whose lines are document facts rather than furniture, with the label the parser records them under.
FACT_RULES = {"cc-line": "抄送", "addressee-line": "主送", "print-line": "印发", "disclosure": "公开属性"}

# A line that starts the "related news / you may also like" tail of a web page: the rest is teasers.
TAIL_MARKERS = re.compile(
    r"^(相关焦点|相關焦點|相关资源|相關資源|猜你喜欢|猜你喜歡|热门政策|熱門政策|推荐图文|最新图文|相关新闻|相關新聞|"
    r"相关阅读|相關閱讀|延伸阅读|相关文章|相關文章|热点推荐|相关链接|相關鏈接)\s*$"
)


def classify(line: str) -> str | None:
    """The name of the clutter rule a line matches, or None for content."""
    text = line.strip()
    if not text:
        return None
    for rule in LINE_RULES:
        if len(text) <= rule.max_len and rule.pattern.search(text):
            return rule.name
    return None

"""The answer fields, each declared once. Everything else derives from this table.

Flags and their help (cli), the questions and when they are asked (interview, with the texts in the
rule files' `fields:` under the same id), batch column names, `questions --json`, what a rule
condition may test and how (ruleset, schema), the coverage domains and the keys the Python API takes.

Adding an answer is one `Field` here plus its texts (and any rules) in rules/.

Cheap to import on purpose (the CLI builds its options from it at start-up): no decimal, no regex.
Numbers that need Decimal are kept as text here and read where they are used.
"""

from __future__ import annotations

from .tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

LANGS = ("zh", "en")  # every text comes in these; zh is the default

# What the parsers accept (parsing.py reads these). Text where the value is a Decimal.
MAX_DAYS = 36500
MAX_AMOUNT = "10000000000"
MAX_PERCENT = "10000"  # the worst illegal "714" loans run to thousands of percent a year
MAX_COUNT = 1000
# A date: 2024-03-01, 2024/3/1, 2024年3月1日 or 号, 20240301, 2024年3月 (asked for the day); a time after the
# day is let be (2024-03-01 00:00:00: how exports and sheets write a date). Compiled in parsing.py.
DATE_FORMS = (r"^(\d{4})(?:\s*[-/.年]\s*|(?=\d{4}(?!\d)))(\d{1,2})\s*(?:(?:[-/.月]\s*|(?<=^\d{6}))(\d{1,2})\s*[日号]?"
              r"(?:[T\s]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?|月?(?:份|底|初|中)?)$")


# What each kind of answer accepts, for forms and scripts (`questions --json`); the parsers in
# parsing.py are the authority.
KINDS: dict[str, dict[str, Any]] = {
    "days": {"type": "integer", "minimum": 0, "maximum": MAX_DAYS,
             "examples": ["45", "45天", "四十五天", "两周", "半个月", "三个月", "一年"]},
    "amount": {"type": "decimal", "minimum": "0.01", "maximum": MAX_AMOUNT, "decimal_places": 2,
               "examples": ["5000", "5,000", "5000元", "3万", "2.5万元", "8千", "1.2w", "两万块", "三千八", "一万二"]},
    "money": {"type": "decimal", "minimum": "0", "maximum": MAX_AMOUNT, "decimal_places": 2,
              "examples": ["6000", "1.2万", "0"]},
    "percent": {"type": "percent", "minimum_exclusive": "0", "maximum": MAX_PERCENT,
                "examples": ["36", "36%", "年化23.9%", "日息万分之五", "月息2分"]},
    "date": {"type": "date", "examples": ["2024-03-01", "2024/3/1", "2024年3月1日"]},
    "count": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT, "examples": ["2", "2笔", "两笔"]},
    "choice": {"type": "choice"},
    "choices": {"type": "choices", "separators": [",", "，", "、", ";", " "]},
}


class Field(NamedTuple):
    """One answer.

    kind: which parser reads it (parsing.parse_answer): days, amount, money, choice, choices, percent, date, count.
    flag, short: its command-line option. columns: the names a spreadsheet or API key may use besides
    the id (compared after NFKC, strip and casefold). required: a core answer, always asked; the others
    are asked when their rule-file `ask_when` says they matter. condition: how a rule condition compares
    it (int, decimal, choice, set, date), None when rules do not test it. domain: (lowest, highest, smallest
    step) of a numeric answer rules test, as coverage walks it. scope: "debt" for an answer about one
    debt (days, amount, lender…), "person" for one about the person, the same for all their debts
    (income, costs, hardship, worries): with several debts it is asked and given once.
    """

    id: str
    kind: str
    flag: str
    help: str
    short: str | None = None
    columns: tuple[str, ...] = ()
    required: bool = False
    condition: str | None = None
    domain: tuple[Any, Any, Any] | None = None
    scope: str = "debt"

    @property
    def many(self) -> bool:
        """Several values at once (a repeatable flag, a list in JSON)."""
        return self.kind == "choices"


_MONEY = ("0", MAX_AMOUNT, "0.01")

FIELDS: tuple[Field, ...] = (
    # The four core answers (CONTRACT §1), in the order they are asked.
    Field("overdue_days", "days", "--days", "Days overdue: 45, 45天, 两周, 三个月 (0 = not yet).", short="-d",
          columns=("逾期天数",), required=True, condition="int", domain=(0, MAX_DAYS, 1)),
    Field("amount", "amount", "--amount", "Overdue amount: 5000, 5,000, 3万, 2.5万元, 1.2w, 两万块, 三千八.", short="-a",
          columns=("逾期金额", "金额"), required=True, condition="decimal", domain=("0.01", MAX_AMOUNT, "0.01")),
    Field("platform", "choice", "--platform", "Lender type: id, Chinese name, number or alias (花呗, 网商贷…).",
          short="-p", columns=("平台类型", "平台", "机构类型", "机构", "借款平台", "产品"), required=True, condition="choice"),
    Field("negotiation", "choice", "--negotiation",
          "Negotiation so far: none, in_progress, agreed, breached, failed (or 未协商…).", short="-n",
          columns=("协商情况", "协商", "是否协商", "协商状态", "协商结果"), required=True, condition="choice"),
    # The extended answers: optional, None when unknown, asked only when they can matter.
    Field("legal_status", "choice", "--legal-status",
          "Court action: none, demand_letter, sued, judgment, enforcement, dishonest_listed, payment_order, arbitration.",
          columns=("诉讼情况", "法律状态", "法律程序"), condition="choice"),
    Field("collection", "choices", "--collection",
          "How you are being collected (repeat or comma-separate): normal, night_calls, "
          "contacts_third_parties, threats, fake_legal_documents, violence, extra_fees, home_visit.",
          columns=("催收方式", "催收情况"), condition="set"),
    Field("hardship", "choice", "--hardship",
          "none, illness, unemployment, income_drop, business_failure, family_emergency, disaster.",
          columns=("困难", "困难原因"), condition="choice", scope="person"),
    Field("apr", "percent", "--apr", "Rate as the app or contract shows it: 36%, 年化23.9%, 日息万分之五, 月息2分.",
          columns=("年化利率", "利率"), condition="decimal", domain=("0.0001", MAX_PERCENT, "0.0001")),
    Field("contract_date", "date", "--contract-date", "Date of the loan contract, YYYY-MM-DD.",
          columns=("合同日期", "借款日期")),
    # Overrides the LPR table for the interest check; rules do not test it.
    Field("lpr", "percent", "--lpr", "1-year LPR in % to use instead of the built-in table.", columns=("一年期LPR",)),
    Field("monthly_income", "money", "--income", "Monthly income (same forms as --amount; 0 allowed).",
          columns=("月收入", "每月收入", "月工资"), condition="decimal", domain=_MONEY, scope="person"),
    Field("monthly_expenses", "money", "--expenses", "Essential monthly costs (same forms as --amount).",
          columns=("月支出", "每月支出", "必要开支", "每月必需开支", "必需开支"),
          condition="decimal", domain=_MONEY, scope="person"),
    Field("repaid_on", "date", "--repaid-on", "Date the overdue was repaid in full, YYYY-MM-DD.",
          columns=("还清日期",), condition="date"),
    Field("other_debts", "count", "--other-debts", "How many other debts you have.", condition="int",
          columns=("其他欠款笔数",), domain=(0, MAX_COUNT, 1), scope="person"),
    # Who is asking, and what the loan really was: family, guarantors and heirs owe only in their
    # cases (rules/rules/family.yaml); interest taken out in advance is not principal (rules/rules/personal.yaml).
    Field("asker", "choice", "--asker", "Who is asking: borrower, spouse, parent, child, guarantor, heir, relative.",
          columns=("提问人", "身份"), condition="choice", scope="person"),
    Field("received", "money", "--received", "Money actually received when borrowing, if less than the contract says.",
          columns=("到手金额", "实际到手"), condition="decimal", domain=_MONEY),
    Field("repaid_so_far", "money", "--repaid-so-far", "How much has been repaid on this loan so far.",
          columns=("已还金额",), condition="decimal", domain=_MONEY),
    # What the person fears most: picks the direct answers the report opens with (rules/answers.yaml).
    # Last, so the places of the other answers in a Case stay put; the interview asks it first.
    Field("concerns", "choices", "--concerns",
          "What worries you most (repeat or comma-separate): jail, credit, contacts, lawsuit, cost, "
          "cannot_pay, time_limit, children, visit, dishonest.", columns=("担心", "最担心", "最担心的问题"), condition="set",
          scope="person"),
)

# The answers about the person, given once for all their debts (the rest are about one debt).
PERSON_FIELDS = tuple(f.id for f in FIELDS if f.scope == "person")
FLAGS = {f.id: f.flag for f in FIELDS}  # each field's long flag, as messages name it

# The case's own id: a key and a batch column, but not an answer.
ID_COLUMNS = ("id", "编号")


"""Account numbers in the Kyoto data exchange standard form, and account rules.

``<registry>-<type>-<identifier>-<commitment period>-<check digits>``, e.g.
``JP-121-1053-0-25``. Check digits are ISO 7064 MOD 97-10 as national registries
compute them: the identifier, then each registry letter as ``ord(letter) - 55``, the
type as three digits, the period as two digits, then ``00``; the check digits are
``98 - (that number mod 97)``. A full number is valid when the same digit string with
the real check digits in place of ``00`` is 1 mod 97.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum, IntEnum

from chalicelib.core.organisations import OrganisationKind
from chalicelib.registry.domain.errors import AccountNotOpen, InvalidAccountNumber

REGISTRY_CODE = "JP"
_NUMBER = re.compile(
    r"^(?P<registry>[A-Z]{2})-(?P<type>[0-9]{3})-(?P<identifier>[1-9][0-9]{0,14})"
    r"-(?P<period>[0-9]{1,2})-(?P<check>[0-9]{1,2})$"
)


class AccountType(IntEnum):
    """Kyoto account type codes used by the scheme."""

    PARTY_HOLDING = 100
    OPERATOR_HOLDING = 120
    PERSON_HOLDING = 121
    VOLUNTARY_CANCELLATION = 230
    RETIREMENT = 300


class AccountStatus(str, Enum):
    OPEN = "open"
    BLOCKED = "blocked"
    CLOSED = "closed"


STATUS_JA = {"open": "開設中", "blocked": "凍結中", "closed": "閉鎖済み"}

#: Accounts of which the registry holds exactly one (the government's).
SINGLETON_TYPES = frozenset({AccountType.PARTY_HOLDING, AccountType.RETIREMENT})

#: Which account types each kind of organisation may hold.
ACCOUNT_TYPES_BY_KIND: dict[OrganisationKind, frozenset[AccountType]] = {
    OrganisationKind.ADMINISTRATOR: frozenset(
        {AccountType.PARTY_HOLDING, AccountType.VOLUNTARY_CANCELLATION, AccountType.RETIREMENT}
    ),
    OrganisationKind.VERIFICATION_BODY: frozenset(),
    OrganisationKind.TARGET_SUBSIDISED: frozenset({AccountType.OPERATOR_HOLDING}),
    OrganisationKind.TARGET: frozenset({AccountType.OPERATOR_HOLDING}),
    OrganisationKind.TRADING: frozenset({AccountType.PERSON_HOLDING}),
}


def may_hold(kind: OrganisationKind, account_type: int) -> bool:
    return AccountType(account_type) in ACCOUNT_TYPES_BY_KIND[kind]


def _digits(registry: str, type_code: int, identifier: int, period: int) -> str:
    letters = "".join(str(ord(letter) - 55) for letter in registry)
    return f"{identifier}{letters}{type_code:03d}{period:02d}"


def check_digits(registry: str, type_code: int, identifier: int, period: int) -> int:
    """The two check digits for these parts (ISO 7064 MOD 97-10)."""
    return 98 - int(_digits(registry, type_code, identifier, period) + "00") % 97


@dataclass(frozen=True)
class AccountNumber:
    registry: str
    type: int
    identifier: int
    period: int

    @property
    def check(self) -> int:
        return check_digits(self.registry, self.type, self.identifier, self.period)

    def __str__(self) -> str:
        return f"{self.registry}-{self.type:03d}-{self.identifier}-{self.period}-{self.check:02d}"

    @classmethod
    def build(cls, type_code: int, identifier: int, period: int = 0) -> AccountNumber:
        AccountType(type_code)
        return cls(REGISTRY_CODE, int(type_code), identifier, period)

    @classmethod
    def parse_field(cls, text: object, field: str) -> AccountNumber:
        """``parse``, naming the request field in the error."""
        try:
            return cls.parse(text)
        except InvalidAccountNumber as error:
            error.field = field
            raise

    @classmethod
    def parse(cls, text: object) -> AccountNumber:
        """Parse and validate a number; raise ``InvalidAccountNumber`` saying why."""
        if not isinstance(text, str):
            raise _invalid(text, "not a string", "文字列ではありません")
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise _invalid(text, "expected the form JP-121-1053-0-25", "JP-121-1053-0-25 の形式で入力してください")
        registry = match["registry"]
        if registry != REGISTRY_CODE:
            raise _invalid(text, f"unknown registry {registry}", f"登録簿コード {registry} は使えません")
        type_code = int(match["type"])
        if type_code not in {t.value for t in AccountType}:
            raise _invalid(text, f"unknown account type {type_code}", f"口座種別 {type_code} は存在しません")
        parts = (registry, type_code, int(match["identifier"]), int(match["period"]))
        number = int(_digits(*parts) + match["check"])
        # The check field must be written as two digits when it is two digits long.
        if number % 97 != 1 or len(match["check"]) != 2:
            raise _invalid(text, "the check digits are wrong", "チェックデジットが一致しません")
        if match["period"] != str(int(match["period"])):
            raise _invalid(text, "the period has a leading zero", "約束期間の表記が正しくありません")
        return cls(*parts)


def _invalid(text: object, reason: str, reason_ja: str) -> InvalidAccountNumber:
    shown = text if isinstance(text, str) and len(text) <= 40 else "…"
    return InvalidAccountNumber(number=shown, reason=reason, reason_ja=reason_ja, field="account")


def is_valid(text: object) -> bool:
    try:
        AccountNumber.parse(text)
    except InvalidAccountNumber:
        return False
    return True


@dataclass(frozen=True)
class Account:
    """An account as the registry holds it. Amounts are whole tonnes (int)."""

    number: str
    type: int
    holder_org_id: str
    holder_name: str
    holder_name_ja: str
    status: AccountStatus = AccountStatus.OPEN
    commitment_reserve: int = 0
    balance: int = 0
    created_at: str = ""
    #: Optimistic-lock version, advanced by every write to the account except a receipt
    #: (units arriving add to it without a version condition: see ``movements``).
    version: int = 0
    #: Head of the account's hash chain and the number of links in it: the transactions
    #: the account sends (and the issuances it receives).
    last_hash: str = "0" * 64
    seq: int = 0
    #: Running totals of units in and out.
    cum_in: int = 0
    cum_out: int = 0
    #: Receipts from another account (each has a history row, and a link in the
    #: sender's chain); advanced atomically by each receipt.
    in_count: int = 0

    @property
    def transferable(self) -> int:
        """Balance minus commitment reserve, never below zero."""
        return max(self.balance - self.commitment_reserve, 0)

    def with_status(self, status: AccountStatus) -> Account:
        return replace(self, status=status)


def ensure_open(account: Account, field: str) -> None:
    """Units leave and reach open accounts only (a blocked or closed one is refused)."""
    if account.status is not AccountStatus.OPEN:
        raise AccountNotOpen(
            number=account.number, status=account.status.value, status_ja=STATUS_JA[account.status.value], field=field
        )


def retirement_account_number() -> str:
    """The government's one retirement account: where every retirement goes."""
    return str(AccountNumber.build(AccountType.RETIREMENT, 1))

"""A registry transaction as a value: what moves, what each account's chain and
history become, and the conditions under which it may be written.

``build`` is pure: given the accounts as read and the chosen blocks, it returns the
``Movement`` that the adapter writes as ONE conditional transaction.

Hot receivers. Every retirement reaches the one retirement account, and a big trader
receives many transfers at once. A receiver is therefore never a lock: the
transaction's *chain owner* is its sender (the receiver only when there is no sender:
an issuance). Only the owner's account is conditioned on the version read (its chain
head, what the new link hashes over, and its blocks and reserve are what the
transaction decided on); the receiving account is updated with atomic additions
(balance, transferable, units in, receipts counted in ``in_count``) conditioned only on
being open, and its history row needs no sequence from it. Totals over a period come
from per-day additions (``DayTotal``), not from running totals in the rows.

The history stays tamper-evident: each transaction is one link of its owner's hash
chain, and the link hashes the whole transaction (both accounts, amounts, serials), so
altering or removing any transaction, received or sent, breaks its sender's chain; the
audit also checks that every transaction is linked by its owner, that each account's
history rows are its links plus its receipts, and that the day totals add up to the
running totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.registry.domain.accounts import Account, AccountType
from chalicelib.registry.domain.blocks import Block, Line, Take, chain_hash
from chalicelib.registry.domain.errors import ReceiverNotAllowed

#: What units reaching an account of these types are; any other account receives a transfer.
_KIND_BY_RECEIVER = {AccountType.RETIREMENT: "retirement", AccountType.VOLUNTARY_CANCELLATION: "cancellation"}


def receiving_kind(receiver: Account) -> str:
    """What a movement into ``receiver`` is: retirement, cancellation or transfer."""
    return _KIND_BY_RECEIVER.get(AccountType(receiver.type), "transfer")


def transfer_kind(receiver: Account) -> str:
    """A participant's transfer to ``receiver``: to the voluntary cancellation account it
    is a cancellation; the retirement account is reached by a retirement only."""
    kind = receiving_kind(receiver)
    if kind == "retirement":
        raise ReceiverNotAllowed(
            number=receiver.number, operation="transfer (use a retirement)", operation_ja="移転（償却を使用）", field="to_account"
        )
    return kind


def reserve_applies(operation: str, sender: Account) -> bool:
    """Whether the sender's commitment reserve holds the units back. Retiring toward a
    compliance period may use the reserve; a correction out of the retirement account
    undoes a retirement and is not held back; everything else keeps the reserve."""
    if operation == "retirement":
        return False
    if operation == "correction":
        return AccountType(sender.type) != AccountType.RETIREMENT
    return True


@dataclass(frozen=True)
class HistoryEntry:
    account: str
    transaction_id: str
    created_at: str
    date: str
    kind: str
    status: str
    from_account: str
    from_name: str
    from_name_ja: str
    to_account: str
    to_name: str
    to_name_ja: str
    amount_in: int
    amount_out: int
    correction: bool
    #: The link's position in the account's chain; 0 on a receipt (no link there).
    seq: int
    #: The notice board's deal the transaction settles, if any.
    deal_ref: str | None = None


@dataclass(frozen=True)
class AccountChange:
    before: Account
    amount_in: int
    amount_out: int
    #: The chain owner's new head (``None`` on a receipt: no version condition, no link).
    new_hash: str | None
    new_seq: int | None
    #: Condition on the account as written: transferable >= this (reserve rule).
    require_transferable: int | None
    history: HistoryEntry

    @property
    def owner(self) -> bool:
        """Whether this account owns the transaction's chain link (and is locked by it)."""
        return self.new_hash is not None

    @property
    def delta(self) -> int:
        return self.amount_in - self.amount_out


@dataclass(frozen=True)
class Movement:
    transaction_id: str
    kind: str
    created_at: str
    core: dict[str, Any]
    chain: dict[str, dict[str, Any]]
    fingerprint: str
    initiated_by: str
    initiator_org: str
    idempotency_key: str
    changes: tuple[AccountChange, ...]
    sender: str | None
    receiver: str
    takes: tuple[Take, ...] = ()
    created_blocks: tuple[Block, ...] = ()
    #: (counter name, value read, value written) for issuance serials.
    counter: tuple[str, int, int] | None = None
    #: When set, the market must be open at this instant (ISO JST).
    market_open_at: str | None = None
    #: The transaction this one corrects (marked in the same write).
    corrects: str | None = None
    moved_blocks: tuple[Block, ...] = field(default=())


def build(
    *,
    transaction_id: str,
    kind: str,
    created_at: str,
    sender: Account | None,
    receiver: Account,
    moved: list[Block],
    lines: list[Line],
    initiated_by: str,
    initiator_org: str,
    idempotency_key: str,
    fingerprint: str,
    takes: list[Take] | None = None,
    created_blocks: list[Block] | None = None,
    counter: tuple[str, int, int] | None = None,
    reserve_applies: bool = True,
    market_open_at: str | None = None,
    correction: bool = False,
    corrects: str | None = None,
    reason: str = "",
    compliance_period: str | None = None,
    deal_ref: str | None = None,
) -> Movement:
    amount = sum(block.amount for block in moved)
    core: dict[str, Any] = {
        "id": transaction_id,
        "type": kind,
        "status": "completed",
        "created_at": created_at,
        "from_account": sender.number if sender else "",
        "from_name": sender.holder_name if sender else "",
        "from_name_ja": sender.holder_name_ja if sender else "",
        "from_org": sender.holder_org_id if sender else "",
        "to_org": receiver.holder_org_id,
        "to_account": receiver.number,
        "to_name": receiver.holder_name,
        "to_name_ja": receiver.holder_name_ja,
        "amount": amount,
        "lines": [line.to_record() for line in lines],
        "blocks": [block.to_record() for block in moved],
        "correction": correction,
        "corrects": corrects,
        "reason": reason,
        "compliance_period": compliance_period,
        "deal_ref": deal_ref,
        "initiated_by": initiated_by,
        "initiator_org": initiator_org,
    }
    chain: dict[str, dict[str, Any]] = {}
    changes: list[AccountChange] = []
    parties = ([(sender, 0, amount)] if sender else []) + [(receiver, amount, 0)]
    owner = sender or receiver
    for account, amount_in, amount_out in parties:
        new_hash: str | None = None
        new_seq: int | None = None
        if account is owner:
            new_hash = chain_hash(core, account.number, account.last_hash)
            new_seq = account.seq + 1
            chain[account.number] = {"previous": account.last_hash, "hash": new_hash, "seq": new_seq}
        history = HistoryEntry(
            account=account.number,
            transaction_id=transaction_id,
            created_at=created_at,
            date=created_at[:10],
            kind=kind,
            status="completed",
            from_account=core["from_account"],
            from_name=core["from_name"],
            from_name_ja=core["from_name_ja"],
            to_account=core["to_account"],
            to_name=core["to_name"],
            to_name_ja=core["to_name_ja"],
            amount_in=amount_in,
            amount_out=amount_out,
            correction=correction,
            seq=new_seq or 0,
            deal_ref=deal_ref,
        )
        changes.append(
            AccountChange(
                before=account,
                amount_in=amount_in,
                amount_out=amount_out,
                new_hash=new_hash,
                new_seq=new_seq,
                require_transferable=amount_out if (amount_out and reserve_applies) else None,
                history=history,
            )
        )
    return Movement(
        transaction_id=transaction_id,
        kind=kind,
        created_at=created_at,
        core=core,
        chain=chain,
        fingerprint=fingerprint,
        initiated_by=initiated_by,
        initiator_org=initiator_org,
        idempotency_key=idempotency_key,
        changes=tuple(changes),
        sender=sender.number if sender else None,
        receiver=receiver.number,
        takes=tuple(takes or ()),
        created_blocks=tuple(created_blocks or ()),
        counter=counter,
        market_open_at=market_open_at,
        corrects=corrects,
        moved_blocks=tuple(moved),
    )


#: Fixed actions of a movement besides its blocks: two accounts, two history rows, two
#: day totals, the transaction record, and the market check or the corrected record's mark.
FIXED_ACTIONS = 8
#: DynamoDB's limit on actions in one TransactWriteItems.
MAX_ACTIONS = 100


def max_blocks(linked_actions: int = 0) -> int:
    """How many blocks one movement may move: each costs two actions (leave the sender,
    reach the receiver); actions another system links to the movement take room too."""
    return (MAX_ACTIONS - FIXED_ACTIONS - linked_actions) // 2


MAX_BLOCKS = max_blocks()

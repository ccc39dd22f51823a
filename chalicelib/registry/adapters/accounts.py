"""The registry's DynamoDB store: every state change is one conditional write.

Reads are plain ``GetItem`` / ``Query``; writes are ``TransactWriteItems`` (or one
conditional ``UpdateItem`` / ``PutItem`` when a single item changes) whose conditions
make the rule hold even when requests race. On a cancelled transaction the store
reads once more only to explain which rule failed; it never writes again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypedDict

from pynamodb.exceptions import GetError, QueryError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.core.adapters import OrganisationItem
from chalicelib.core.organisations import Organisation, OrganisationNotFound
from chalicelib.core.table import response_code, transaction_connection, unavailable
from chalicelib.registry.adapters.models import AccountItem, AccountLinkItem, CounterItem, read_counter
from chalicelib.registry.domain.accounts import (
    SINGLETON_TYPES,
    STATUS_JA,
    Account,
    AccountNumber,
    AccountStatus,
    AccountType,
)
from chalicelib.registry.domain.errors import (
    AccountNotEmpty,
    AccountNotFound,
    AccountNotOpen,
    ConcurrentUpdate,
    SingletonAccountExists,
    StatusChangeNotAllowed,
)

_MAX_ATTEMPTS = 5


class AccountSummary(TypedDict):
    number: str
    type: int
    status: str

_RETRYABLE = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


def _reasons(error: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in error.cancellation_reasons]


_unavailable = unavailable


def account_from_item(item: AccountItem) -> Account:
    return Account(
        number=item.number,
        type=int(item.account_type),
        holder_org_id=item.holder_org_id,
        holder_name=item.holder_name,
        holder_name_ja=item.holder_name_ja,
        status=AccountStatus(item.status),
        commitment_reserve=int(item.commitment_reserve),
        balance=int(item.balance),
        created_at=item.created_at,
        version=int(item.version or 0),
        last_hash=item.last_hash or "0" * 64,
        seq=int(item.seq or 0),
        cum_in=int(item.cum_in or 0),
        cum_out=int(item.cum_out or 0),
        in_count=int(item.in_count or 0),
    )


def account_summary(link: AccountLinkItem) -> AccountSummary:
    return {"number": link.number, "type": int(link.account_type), "status": link.status}


class RegistryStore:
    """Accounts and the links from their holders."""

    def accounts_of(self, org_id: str) -> list[AccountSummary]:
        """The accounts an organisation holds (its links, one query)."""
        try:
            return [
                account_summary(item)
                for item in AccountLinkItem.query(
                    f"ORG#{org_id}", AccountLinkItem.sk.startswith("ACCT#"), consistent_read=True
                )
            ]
        except QueryError as error:
            raise _unavailable(error) from error

    # --- accounts ------------------------------------------------------------------

    def get_account(self, number: str) -> Account | None:
        try:
            item = AccountItem.get(*AccountItem.key(number), consistent_read=True)
        except AccountItem.DoesNotExist:
            return None
        except GetError as error:
            raise _unavailable(error) from error
        return account_from_item(item)

    def get_accounts(self, numbers: list[str]) -> dict[str, Account]:
        """The accounts of ``numbers`` that exist, by number: one strongly consistent
        BatchGetItem (a movement reads its sender and receiver in one request)."""
        try:
            items = AccountItem.batch_get([AccountItem.key(number) for number in dict.fromkeys(numbers)], consistent_read=True)
            return {account.number: account for account in map(account_from_item, items)}
        except GetError as error:
            raise _unavailable(error) from error

    def open_account(self, holder: Organisation, account_type: AccountType, period: int, now: str) -> Account:
        """Allocate the next identifier and create the account and its link atomically."""
        counter_name = f"ACCOUNT#{int(account_type)}"
        for _attempt in range(_MAX_ATTEMPTS):
            singleton = account_type in SINGLETON_TYPES
            current = 0 if singleton else read_counter(counter_name)
            # The government's singleton accounts always carry identifier 1, so their
            # create-only condition is what keeps them unique.
            number = str(AccountNumber.build(account_type, 1 if singleton else current + 1, period))
            account = Account(
                number=number,
                type=int(account_type),
                holder_org_id=holder.org_id,
                holder_name=holder.name,
                holder_name_ja=holder.name_ja,
                created_at=now,
            )
            try:
                with TransactWrite(connection=transaction_connection()) as tx:
                    # The holder must exist when the account is created.
                    tx.condition_check(
                        OrganisationItem, *OrganisationItem.key(holder.org_id), condition=OrganisationItem.pk.exists()
                    )
                    pk, sk = AccountItem.key(number)
                    tx.save(
                        AccountItem(
                            pk,
                            sk,
                            number=number,
                            account_type=int(account_type),
                            holder_org_id=holder.org_id,
                            holder_name=holder.name,
                            holder_name_ja=holder.name_ja,
                            status=AccountStatus.OPEN.value,
                            commitment_reserve=0,
                            balance=0,
                            transferable=0,
                            created_at=now,
                            version=0,
                        ),
                        # Create-only: a number is never reused.
                        condition=AccountItem.pk.does_not_exist(),
                    )
                    tx.save(
                        AccountLinkItem(
                            *AccountLinkItem.key(holder.org_id, number),
                            number=number,
                            account_type=int(account_type),
                            status=AccountStatus.OPEN.value,
                        ),
                        condition=AccountLinkItem.pk.does_not_exist(),
                    )
                    if not singleton:
                        counter = CounterItem(*CounterItem.key(counter_name))
                        # Advance the counter only from the value we read: a racing
                        # open_account makes this fail and we retry with the next one.
                        expected = (
                            CounterItem.value == current if current else CounterItem.pk.does_not_exist()
                        )
                        tx.update(counter, actions=CounterItem.advance_to(current + 1), condition=expected)
            except TransactWriteError as error:
                # Sending order: condition checks, puts (account, link), updates (counter).
                reasons = _reasons(error)
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise OrganisationNotFound(org_id=holder.org_id) from error
                if singleton and len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    raise SingletonAccountExists(type=int(account_type), number=number) from error
                if any(r in _RETRYABLE or r == "ConditionalCheckFailed" for r in reasons):
                    continue
                raise _unavailable(error) from error
            return account
        raise ConcurrentUpdate()

    def close_account(self, number: str) -> Account:
        """Close an empty account; the account and its link change together."""
        account = self.get_account(number)
        if account is None:
            raise AccountNotFound(number=number)
        for _attempt in range(_MAX_ATTEMPTS):
            try:
                with TransactWrite(connection=transaction_connection()) as tx:
                    tx.update(
                        AccountItem(*AccountItem.key(number)),
                        actions=[AccountItem.status.set(AccountStatus.CLOSED.value), AccountItem.version.add(1)],
                        # Only an account that is not closed yet and holds nothing.
                        condition=(AccountItem.status != AccountStatus.CLOSED.value) & (AccountItem.balance == 0),
                    )
                    tx.update(
                        AccountLinkItem(*AccountLinkItem.key(account.holder_org_id, number)),
                        actions=[AccountLinkItem.status.set(AccountStatus.CLOSED.value)],
                        condition=AccountLinkItem.pk.exists(),
                    )
            except TransactWriteError as error:
                reasons = _reasons(error)
                if any(r in _RETRYABLE for r in reasons):
                    continue
                current = self.get_account(number)
                if current is None:
                    raise AccountNotFound(number=number) from error
                if current.status is AccountStatus.CLOSED:
                    raise AccountNotOpen(number=number, status="closed", status_ja=STATUS_JA["closed"]) from error
                if current.balance:
                    raise AccountNotEmpty(number=number, balance=current.balance) from error
                raise _unavailable(error) from error
            # As written: the transaction set the status and advanced the version.
            return replace(account, status=AccountStatus.CLOSED, version=account.version + 1)
        raise ConcurrentUpdate()

    def set_account_status(self, number: str, status: str) -> Account:
        """Block an open account or unblock a blocked one; the account and its link
        change together, and only from the status the change starts from."""
        target = AccountStatus(status)
        source = AccountStatus.OPEN if target is AccountStatus.BLOCKED else AccountStatus.BLOCKED
        account = self.get_account(number)
        if account is None:
            raise AccountNotFound(number=number)
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.update(
                    AccountItem(*AccountItem.key(number)),
                    actions=[AccountItem.status.set(target.value), AccountItem.version.add(1)],
                    condition=AccountItem.status == source.value,
                )
                tx.update(
                    AccountLinkItem(*AccountLinkItem.key(account.holder_org_id, number)),
                    actions=[AccountLinkItem.status.set(target.value)],
                    condition=AccountLinkItem.pk.exists(),
                )
        except TransactWriteError as error:
            reasons = _reasons(error)
            if any(r in _RETRYABLE for r in reasons) or not reasons:
                raise _unavailable(error) from error
            current = self.get_account(number)
            if current is None:
                raise AccountNotFound(number=number) from error
            raise StatusChangeNotAllowed(
                number=number, status=current.status.value, status_ja=STATUS_JA[current.status.value],
                wanted=target.value, wanted_ja=STATUS_JA[target.value],
            ) from error
        # As written: the transaction set the status and advanced the version.
        return replace(account, status=target, version=account.version + 1)

    def set_commitment_reserve(self, number: str, reserve: int) -> Account:
        """Set the reserve and, in the same write, the derived transferable amount."""
        item = AccountItem(*AccountItem.key(number))
        try:
            item.update(
                actions=[
                    AccountItem.commitment_reserve.set(reserve),
                    # Update expressions can subtract; condition expressions cannot.
                    AccountItem.transferable.set(AccountItem.balance - reserve),
                    AccountItem.version.add(1),
                ],
                condition=AccountItem.pk.exists() & (AccountItem.status != AccountStatus.CLOSED.value),
            )
        except UpdateError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                current = self.get_account(number)
                if current is None:
                    raise AccountNotFound(number=number) from error
                raise AccountNotOpen(
                    number=number, status=current.status.value, status_ja=STATUS_JA[current.status.value]
                ) from error
            raise _unavailable(error) from error
        return account_from_item(item)

"""Identity failures."""

from __future__ import annotations

from chalicelib.core.errors import Conflict, JvetsError, Unauthenticated, Unprocessable


class AuthFailed(Unauthenticated):
    """The username or password is wrong (never says which)."""

    code = "AUTH_FAILED"
    message_en = "The username or password is incorrect."
    message_ja = "ユーザー名またはパスワードが正しくありません。"


class InvalidToken(Unauthenticated):
    """The bearer token is missing, expired, or not issued for this application."""

    code = "INVALID_TOKEN"
    message_en = "Your session is not valid ({reason}). Please sign in again."
    message_ja = "セッションが無効です（{reason_ja}）。もう一度ログインしてください。"

    #: The Japanese text of each reason the verifier gives.
    REASONS_JA = {
        "missing token": "トークンがありません",
        "malformed token": "トークンの形式が正しくありません",
        "unexpected algorithm": "署名方式が正しくありません",
        "signing keys unavailable": "署名鍵を取得できません",
        "unknown signing key": "不明な署名鍵です",
        "expired": "有効期限切れです",
        "issued for another client": "別のアプリケーション向けのトークンです",
        "issued by another user pool": "別のユーザープールが発行したトークンです",
        "bad signature": "署名が正しくありません",
        "invalid token": "トークンが正しくありません",
        "not an ID token": "IDトークンではありません",
        "the user has no role or organisation": "利用者に役割または組織が設定されていません",
        "administrator signed in without MFA": "管理者が多要素認証なしでログインしています",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason, reason_ja=self.REASONS_JA.get(reason, reason))


class PasswordChangeRequired(Unauthenticated):
    """The user signs in with a temporary password and must choose a new one."""

    code = "PASSWORD_CHANGE_REQUIRED"
    status = 403
    message_en = "You must set a new password before signing in."
    message_ja = "ログインの前に新しいパスワードを設定してください。"


class MfaRequired(Unauthenticated):
    """The password was right; the user must now give the code of their authenticator app.
    ``details`` carries the session for POST /auth/mfa."""

    code = "MFA_REQUIRED"
    message_en = "Enter the 6-digit code from your authenticator app."
    message_ja = "認証アプリに表示される6桁のコードを入力してください。"


class MfaSetupRequired(Unauthenticated):
    """An administrator signed in without a second factor: they must enrol one first.
    ``details`` carries the secret for the authenticator app and the session for
    POST /auth/mfa/setup."""

    code = "MFA_SETUP_REQUIRED"
    message_en = "Administrators must use multi-factor authentication. Register the key in your authenticator app, then enter its code."
    message_ja = "管理者は多要素認証が必須です。認証アプリに鍵を登録し、表示されるコードを入力してください。"


class MfaCodeInvalid(Unauthenticated):
    """The one-time code is wrong or expired."""

    code = "MFA_CODE_INVALID"
    message_en = "The code is incorrect or has expired. Enter the latest code your authenticator app shows."
    message_ja = "確認コードが正しくないか、有効期限が切れています。認証アプリに表示されている最新のコードを入力してください。"


class UserExists(Conflict):
    """A user with this name already exists."""

    code = "USER_EXISTS"
    message_en = "User {username} already exists."
    message_ja = "ユーザー {username} は既に存在します。"


class InvalidPassword(JvetsError):
    """The password does not meet the pool's policy."""

    code = "INVALID_PASSWORD"
    message_en = ("The password does not meet the password policy: at least 12 characters, with an upper-case letter, "
                  "a lower-case letter, a digit and a symbol.")
    message_ja = "パスワードは12文字以上で、英大文字・英小文字・数字・記号をそれぞれ1文字以上含めてください。"


class RoleNotAllowed(Unprocessable):
    """The role does not fit the organisation's kind."""

    code = "ROLE_NOT_ALLOWED"
    message_en = "A {role} user cannot belong to a {kind} organisation."
    message_ja = "この種類の組織（{kind}）に役割 {role} の利用者は登録できません。"

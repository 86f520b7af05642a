"""Password-encrypted backup files, for backups that leave the office on a USB stick.

Format: MAGIC, a 16-byte salt, the scrypt cost (log2 n, r, p as three bytes), then a Fernet token
(AES-128-CBC + HMAC-SHA256, from the `cryptography` package) of the whole SQLite file. The key is
derived from the password with scrypt, so a guessed password costs real time. The file is held in
memory once while encrypting; village databases are tens of megabytes at most.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import ServiceError

MAGIC = b"VDBKENC1"
SALT_BYTES = 16
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
MIN_PASSWORD = 6


class PasswordRequired(ServiceError):
    """The backup is encrypted and no password was given (the window then asks for one)."""


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _key(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p)
    return base64.urlsafe_b64encode(kdf.derive(password.encode("utf-8")))


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ServiceError(f"加密备份的密码至少 {MIN_PASSWORD} 位。")
    return password


def write_synced(path: Path, data: bytes) -> None:
    """Write a new file through a temp name, flushed to disk before it takes the real name."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def encrypt_file(src: Path, dst: Path, password: str) -> None:
    salt = os.urandom(SALT_BYTES)
    token = Fernet(_key(check_password(password), salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)).encrypt(src.read_bytes())
    write_synced(dst, MAGIC + salt + bytes((SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)) + token)


def decrypt_file(src: Path, dst: Path, password: str | None) -> None:
    """Decrypt src into dst; a wrong password or a damaged file is a ServiceError, dst untouched."""
    if not password:
        raise PasswordRequired(f"备份文件 {src.name} 已加密，请输入备份时设置的密码。")
    data = src.read_bytes()
    head = len(MAGIC) + SALT_BYTES + 3
    if len(data) <= head or not data.startswith(MAGIC):
        raise ServiceError(f"{src.name} 不是有效的加密备份文件。")
    salt = data[len(MAGIC):len(MAGIC) + SALT_BYTES]
    log2_n, r, p = data[head - 3:head]
    try:
        plain = Fernet(_key(password, salt, log2_n, r, p)).decrypt(data[head:])
    except (InvalidToken, ValueError) as exc:
        raise ServiceError("密码不正确，或备份文件已损坏，无法解密。") from exc
    write_synced(dst, plain)

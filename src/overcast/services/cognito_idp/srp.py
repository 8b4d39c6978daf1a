"""The server half of SRP-6a as Cognito speaks it (USER_SRP_AUTH → PASSWORD_VERIFIER), so that
Amplify, amazon-cognito-identity-js, pycognito and warrant sign in unchanged.

Cognito's variant: the 3072-bit group of RFC 5054 with g = 2, SHA-256, k = H(pad(N) | pad(g)),
x = H(pad(salt) | H(poolName | userIdForSrp | ":" | password)) where poolName is the part of the
pool id after `_`, u = H(pad(A) | pad(B)), the session key HKDF(S, u, "Caldera Derived Key")[:16],
and the client's proof HMAC(key, poolName | userIdForSrp | secretBlock | timestamp).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2


def _pad(value: int | str) -> str:
    """Hex of a value as Cognito hashes it: even length, with a 00 byte when the top bit is set."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


def _hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(_hex_hash("00" + N_HEX + "0" + "2"), 16)


def verifier(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(_hex_hash(_pad(salt_hex) + inner), 16)
    return pow(G, x, N)


def new_salt() -> str:
    return f"{secrets.randbits(128):x}"


def server_values(v: int) -> tuple[int, int]:
    """(b, B): the server's secret and public values for one challenge."""
    b = secrets.randbits(1024) % N
    return b, (K * v + pow(G, b, N)) % N


def session_key(a_hex: str, b: int, big_b: int, v: int) -> bytes | None:
    """The 16-byte key both sides derive; None for an unsafe A (A mod N == 0)."""
    big_a = int(a_hex, 16)
    if big_a % N == 0:
        return None
    u = int(_hex_hash(_pad(big_a) + _pad(big_b)), 16)
    if u == 0:
        return None
    s = pow(big_a * pow(v, u, N), b, N)
    prk = hmac.new(bytes.fromhex(_pad(f"{u:x}")), bytes.fromhex(_pad(s)), hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def proof_matches(key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str,
                  signature: str) -> bool:
    message = pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature or "")


def block_id(secret_block: str) -> str:
    """The session id of an SRP challenge: a hash of its secret block, which the answer repeats."""
    return hashlib.sha256(secret_block.encode()).hexdigest()

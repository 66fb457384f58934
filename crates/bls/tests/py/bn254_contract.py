#!/usr/bin/env python3
"""An independent implementation of Session's BN254 BLS (the ServiceNodeRewards
contract's hash to G2, sign and verify), used as an oracle for snode-bls.

Written for this project from the facts in docs/compat/bls.md
(no code shared with the Rust crate). Curve arithmetic and the pairing come
from py_ecc's optimized_bn128 (PyPI py_ecc); Keccak-256 from pycryptodome.
Before it is trusted it must reproduce the known-answer vectors of
docs/compat/bls.md, and verify the real oxen-made PoP of §7.3 at its
contract and reject it at another (`selftest`, also run first by every mode).

Usage:
  bn254_contract.py selftest
  bn254_contract.py verify FILE   # lines: chain_id contract pk msg sig expect(1|0), hex
  bn254_contract.py bench N       # median seconds of PoP sign / verify over N runs
"""
import sys
import time

from Crypto.Hash import keccak
from py_ecc.optimized_bn128 import (FQ, FQ2, G1, add, b2, curve_order, field_modulus,
                                    is_inf, is_on_curve, multiply, normalize, pairing)

P = field_modulus
U = 4965661367192848881
TWIST_B = b2  # 3 / (9 + i)
XI = FQ2([9, 1])
GAMMA_X = XI ** ((P - 1) // 3)
GAMMA_Y = XI ** ((P - 1) // 2)


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def tag(base: bytes, chain_id: int, contract: bytes) -> bytes:
    return keccak256(base + chain_id.to_bytes(32, "big") + contract)


def expand(msg: bytes, dst: bytes) -> bytes:
    dst_prime = dst + bytes([len(dst)])
    b0 = keccak256(bytes(136) + msg + b"\x00\x80\x00" + dst_prime)
    blocks = [keccak256(b0 + b"\x01" + dst_prime)]
    for i in range(2, 5):
        mixed = bytes(a ^ b for a, b in zip(b0, blocks[-1]))
        blocks.append(keccak256(mixed + bytes([i]) + dst_prime))
    return b"".join(blocks)


def fp_sqrt(v: int):
    r = pow(v, (P + 1) // 4, P)
    return r if r * r % P == v % P else None


def contract_sqrt(c: int, d: int):
    """The contract's FQ2Sqrt, rejecting roots with a zero component."""
    if d == 0:
        return None
    s = fp_sqrt((c * c + d * d) % P)
    if s is None:
        return None
    inv2 = pow(2, P - 2, P)
    a = fp_sqrt((c + s) * inv2 % P)
    if a is None:
        a = fp_sqrt((c - s) * inv2 % P)
    if not a:
        return None
    b = d * pow(2 * a, P - 2, P) % P
    if b == 0:
        return None
    root = FQ2([a, b])
    return root if root * root == FQ2([c, d]) else None


def psi(pt):
    x, y = normalize(pt)
    conj = lambda v: FQ2([v.coeffs[0], -v.coeffs[1] % P])  # noqa: E731
    return (conj(x) * GAMMA_X, conj(y) * GAMMA_Y, FQ2.one())


def map_to_twist(msg: bytes, dst: bytes):
    for counter in range(256):
        e = expand(msg + bytes([counter]), dst)
        x = FQ2([int.from_bytes(e[:48], "big") % P, int.from_bytes(e[48:96], "big") % P])
        w = x * x * x + TWIST_B
        root = contract_sqrt(*w.coeffs)
        if root is None:
            continue
        y = -root if e[127] & 1 else root
        return counter, (x, y, FQ2.one())
    raise ValueError("no point")


def hash_to_g2(msg: bytes, dst: bytes):
    _, p = map_to_twist(msg, dst)
    up = multiply(p, U)
    h = add(add(add(up, psi(multiply(up, 3))), psi(psi(up))), psi(psi(psi(p))))
    return h


def enc_g2(pt) -> bytes:
    if is_inf(pt):
        return bytes(128)
    x, y = normalize(pt)
    return b"".join(int(c).to_bytes(32, "big") for c in (*x.coeffs, *y.coeffs))


def dec_g1(b: bytes):
    x, y = int.from_bytes(b[:32], "big"), int.from_bytes(b[32:], "big")
    if x >= P or y >= P or (x, y) == (0, 0):
        return None
    pt = (FQ(x), FQ(y), FQ.one())
    return pt if is_on_curve(pt, FQ(3)) else None


def dec_g2(b: bytes):
    w = [int.from_bytes(b[i:i + 32], "big") for i in range(0, 128, 32)]
    if any(v >= P for v in w):
        return None
    pt = (FQ2(w[:2]), FQ2(w[2:]), FQ2.one())
    if not is_on_curve(pt, TWIST_B) or not is_inf(multiply(pt, curve_order)):
        return None
    return pt


def verify(chain_id: int, contract: bytes, pk: bytes, msg: bytes, sig: bytes) -> bool:
    pk_pt, sig_pt = dec_g1(pk), dec_g2(sig)
    if pk_pt is None or sig_pt is None:
        return False
    h = hash_to_g2(msg, tag(b"BLS_SIG_HASH_TO_FIELD_TAG", chain_id, contract))
    # e(G1, sig) == e(pk, H); py_ecc's pairing takes (G2 point, G1 point).
    return pairing(sig_pt, G1) == pairing(h, pk_pt)


def pop_sign(sk: int, chain_id: int, contract: bytes, operator: bytes, ed: bytes) -> bytes:
    pk = normalize(multiply(G1, sk))
    pk_bytes = b"".join(int(c).to_bytes(32, "big") for c in pk)
    msg = tag(b"BLS_SIG_TRYANDINCREMENT_POP", chain_id, contract) + pk_bytes + operator + ed
    h = hash_to_g2(msg, tag(b"BLS_SIG_HASH_TO_FIELD_TAG", chain_id, contract))
    return enc_g2(multiply(h, sk % curve_order))


# docs/compat/bls.md (stagenet PoPs, one reaching counter 2) and §7.1 (sig1).
SK = int("0123456789abcdef" * 4, 16)
ED = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
OPERATOR = bytes.fromhex("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
SELFTEST_POPS = [
    ("9d8aB00880CBBdc2Dcd29C179779469A82E7be35", 0,
     "00504d76d451af5d275221c0d1d3e455dc45a8f2fab2f4ab221b60504c8f8e1a17f97b458afb6b5a0f73b7f2c311d129"
     "012d3aff14fe85baeac57938c266affa217c0f38dff7b99740c2e8dafb7f58532549ae99b27ed8c8aadec8e0910c2796"
     "29020f3f2ced3f670935fe415718cddd6d5b43aafc0a90f363e723c1a484630b"),
    ("4abfFB7f922767f22c7aa6524823d93FDDaB54b1", 2,
     "22a404fafd301957a0171a1d35fb2ef7a8fb3f9c4c368f6a2acfcebbd0411b0510e1ab2a7498f7cea9ac0f9063293d30"
     "d1a8de93e1a324421dfce7b02237608922e60e1058cd6f0f9b306d40dd562d6696f3f601d841aefeb0da3673bdaa4515"
     "1d99ec1ea398fbaae56ce6b61847eff060e6670c06b87de66028ef8cf6adeeee"),
]
SIG1 = ("28dcb2b1512acd2eb2405c6e25cdfa3172b3f3244f4f13b32c5cb0a6e52de22f1d1c84e8b728675709c43c53d465601f"
        "b7cde902470547fc92e39f47820a2cc325c76fabbab649f9e786d727cc4c5123e1ec677087b920cc3bcd7e6701ed3953"
        "236410a224c9ba5eccf6189533838c9ef8e0b4354ae11556c705650b9d6a7cc6")
PK = bytes.fromhex("14c6615c4fbecfa4a2c2197ae8152904ce2c0d9daab228650993959c9d5c322c"
                   "1310113ec96bd4f56c1a3abb96dea45ffb8d785ea7a55faf38e12bfd92ba179b")

# docs/compat/bls.md: a real PoP made by oxen-core (oxen-pybls README) for the
# testnet rewards contract below; accepted by that contract's bytecode.
PYBLS_CONTRACT = bytes.fromhex("0B5C58A27A41D5fE3FF83d74060d761D7dDDc1D2")
PYBLS_ED = bytes.fromhex("f4a895743bd4171ed97bdf162be9f6f4a1013a757dfedfdc7f12a125a74c08d7")
PYBLS_PK = bytes.fromhex("214cdf23f1c4898ef00633c2451297835d4e4ab5adfdf6f82bbf4c7144413bdb"
                         "0e11d11ab513e899ab8f753c4194196fcf98df681f98baa23ad0023361c4dc47")
PYBLS_OPERATOR = bytes.fromhex("AbcDEF1234ABCDEf1234ABcdef1234ABCDef1234")
PYBLS_POP = bytes.fromhex(
    "0a36ce74d46a1fc2483f563e3f3d2f6766bcf21ba6d04dc55f02fc118150c6342951fc774625de7fe5fa2d0bcbd2a464"
    "b1d0e4c8c8dd3001dc2b252a7b97096d151e8e74d5b6df581ccb3957ad7c55f8691c29b1fd79c45959eab5d549a9e01b"
    "014d5a5fb7c9e6790a359fd76b62420c37d3281ef6b49978dcb32d740e2e6173")


def pop_verify(chain_id: int, contract: bytes, pk: bytes, operator: bytes, ed: bytes, pop: bytes) -> bool:
    """What the contract checks for a PoP: its own tag in the message, its own DST."""
    msg = tag(b"BLS_SIG_TRYANDINCREMENT_POP", chain_id, contract) + pk + operator + ed
    return verify(chain_id, contract, pk, msg, pop)


def selftest():
    assert keccak256(b"hello world!").hex().startswith("57caa176"), "keccak is not Ethereum's"
    for contract, counter, want in SELFTEST_POPS:
        c = bytes.fromhex(contract)
        msg = tag(b"BLS_SIG_TRYANDINCREMENT_POP", 421614, c) + PK + OPERATOR + ED
        got_counter, _ = map_to_twist(msg, tag(b"BLS_SIG_HASH_TO_FIELD_TAG", 421614, c))
        assert got_counter == counter, f"counter for {contract}"
        assert pop_sign(SK, 421614, c, OPERATOR, ED).hex() == want, f"PoP KAT for {contract}"
    hash1 = keccak256(b"hello world!")
    assert verify(42161, bytes(20), PK, hash1, bytes.fromhex(SIG1)), "oxen-core sig1 KAT"
    assert not verify(42161, bytes(20), PK, hash1 + b"x", bytes.fromhex(SIG1)), "oracle never fails"
    assert pop_verify(421614, PYBLS_CONTRACT, PYBLS_PK, PYBLS_OPERATOR, PYBLS_ED, PYBLS_POP), \
        "the oxen-made PoP (§7.3) verifies at its contract"
    other = bytes.fromhex(SELFTEST_POPS[0][0])
    assert not pop_verify(421614, other, PYBLS_PK, PYBLS_OPERATOR, PYBLS_ED, PYBLS_POP), \
        "the oxen-made PoP (§7.3) is rejected at another contract"


def main(argv):
    selftest()
    if argv[1:2] == ["selftest"]:
        print("selftest ok")
        return 0
    if argv[1:2] == ["verify"] and len(argv) == 3:
        count = 0
        for n, line in enumerate(open(argv[2]), 1):
            fields = line.split()
            if not fields:
                continue
            chain, contract, pk, msg, sig, expect = fields
            msg = b"" if msg == "-" else bytes.fromhex(msg)
            got = verify(int(chain), bytes.fromhex(contract), bytes.fromhex(pk), msg, bytes.fromhex(sig))
            if got != (expect == "1"):
                print(f"line {n}: py_ecc says {'valid' if got else 'invalid'}, expected {expect}")
                return 1
            count += 1
        print(f"ok {count}")
        return 0
    if argv[1:2] == ["bench"] and len(argv) == 3:
        runs = int(argv[2])
        c = bytes.fromhex(SELFTEST_POPS[0][0])
        sign_t, verify_t = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            pop = pop_sign(SK, 421614, c, OPERATOR, ED)
            t1 = time.perf_counter()
            msg = tag(b"BLS_SIG_TRYANDINCREMENT_POP", 421614, c) + PK + OPERATOR + ED
            ok = verify(421614, c, PK, msg, pop)
            t2 = time.perf_counter()
            assert ok
            sign_t.append(t1 - t0)
            verify_t.append(t2 - t1)
        med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
        print(f"pop_sign median {med(sign_t) * 1e3:.1f} ms; pop_verify median {med(verify_t) * 1e3:.1f} ms; runs {runs}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

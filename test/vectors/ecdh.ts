// ECDH known-answer vectors.
// x25519: RFC 7748 §6.1 (Alice and Bob). Low-order points: RFC 7748 §6.1 asks to refuse an
// all-zero result; the u values below are the curve25519 points of order 1, 2, 4 and 8 and their
// non-canonical encodings (the list libsodium and noble block; see cr.yp.to/ecdh.html#validate).
// P-256 / P-384: RFC 5903 §8.1 and §8.2 (i, g^i, r, g^r, g^ir; coordinates big-endian).

export interface EcdhVector {
  readonly name: string;
  readonly group: 'x25519' | 'secp256r1' | 'secp384r1';
  /** Our private key (x25519 scalar or NIST scalar). */
  readonly privateKey: string;
  /** Our public value as sent on the wire. */
  readonly publicKey: string;
  readonly peerPrivateKey: string;
  readonly peerPublicKey: string;
  /** The shared secret: the x25519 output or the x-coordinate of g^ir. */
  readonly sharedSecret: string;
}

export const ECDH_VECTORS: readonly EcdhVector[] = [
  {
    name: 'RFC 7748 §6.1',
    group: 'x25519',
    privateKey: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    publicKey: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    peerPrivateKey: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    peerPublicKey: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    sharedSecret: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
  },
  {
    name: 'RFC 5903 §8.1 (256-bit random ECP group)',
    group: 'secp256r1',
    privateKey: 'c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433',
    publicKey:
      '04' +
      'dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' +
      '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
    peerPrivateKey: 'c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53',
    peerPublicKey:
      '04' +
      'd12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63' +
      '56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab',
    sharedSecret: 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de',
  },
  {
    name: 'RFC 5903 §8.2 (384-bit random ECP group)',
    group: 'secp384r1',
    privateKey:
      '099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896783ab194',
    publicKey:
      '04' +
      '667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa' +
      '9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c',
    peerPrivateKey:
      '41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a7448fc',
    peerPublicKey:
      '04' +
      'e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571' +
      'dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c',
    sharedSecret:
      '11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746',
  },
];

/** x25519 u values of small order: the ladder gives an all-zero output for every one of them. */
export const X25519_LOW_ORDER_POINTS: readonly string[] = [
  '0000000000000000000000000000000000000000000000000000000000000000', // 0 (order 2)
  '0100000000000000000000000000000000000000000000000000000000000000', // 1 (order 1)
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p - 1 (order 4)
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p, non-canonical 0
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1, non-canonical 1
  '0000000000000000000000000000000000000000000000000000000000000080', // 0 with the top bit set (masked)
];

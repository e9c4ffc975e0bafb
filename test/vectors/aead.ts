// AEAD known-answer vectors.
// AES-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised submission to
// NIST (2005), Appendix B, test cases 1–4 (AES-128) and 13–16 (AES-256), all with 96-bit IVs.
// ChaCha20-Poly1305: RFC 8439 §2.8.2.

export interface AeadVector {
  readonly name: string;
  readonly algorithm: 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';
  readonly key: string;
  readonly nonce: string;
  readonly aad: string;
  readonly plaintext: string;
  readonly ciphertext: string;
  readonly tag: string;
}

const GCM_KEY = 'feffe9928665731c6d6a8f9467308308';
const GCM_IV = 'cafebabefacedbaddecaf888';
const GCM_AAD = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const GCM_PLAINTEXT =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
/** Test cases 4 and 16 use the first 60 bytes of the plaintext. */
const GCM_PLAINTEXT_60 = GCM_PLAINTEXT.slice(0, 120);
const GCM128_CIPHERTEXT =
  '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
  '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985';
const GCM256_CIPHERTEXT =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';

export const AEAD_VECTORS: readonly AeadVector[] = [
  {
    name: 'GCM test case 1',
    algorithm: 'AES-128-GCM',
    key: '00000000000000000000000000000000',
    nonce: '000000000000000000000000',
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '58e2fccefa7e3061367f1d57a4e7455a',
  },
  {
    name: 'GCM test case 2',
    algorithm: 'AES-128-GCM',
    key: '00000000000000000000000000000000',
    nonce: '000000000000000000000000',
    aad: '',
    plaintext: '00000000000000000000000000000000',
    ciphertext: '0388dace60b6a392f328c2b971b2fe78',
    tag: 'ab6e47d42cec13bdf53a67b21257bddf',
  },
  {
    name: 'GCM test case 3',
    algorithm: 'AES-128-GCM',
    key: GCM_KEY,
    nonce: GCM_IV,
    aad: '',
    plaintext: GCM_PLAINTEXT,
    ciphertext: GCM128_CIPHERTEXT,
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'GCM test case 4',
    algorithm: 'AES-128-GCM',
    key: GCM_KEY,
    nonce: GCM_IV,
    aad: GCM_AAD,
    plaintext: GCM_PLAINTEXT_60,
    ciphertext: GCM128_CIPHERTEXT.slice(0, 120),
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'GCM test case 13',
    algorithm: 'AES-256-GCM',
    key: '0000000000000000000000000000000000000000000000000000000000000000',
    nonce: '000000000000000000000000',
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'GCM test case 14',
    algorithm: 'AES-256-GCM',
    key: '0000000000000000000000000000000000000000000000000000000000000000',
    nonce: '000000000000000000000000',
    aad: '',
    plaintext: '00000000000000000000000000000000',
    ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'GCM test case 15',
    algorithm: 'AES-256-GCM',
    key: GCM_KEY + GCM_KEY,
    nonce: GCM_IV,
    aad: '',
    plaintext: GCM_PLAINTEXT,
    ciphertext: GCM256_CIPHERTEXT,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'GCM test case 16',
    algorithm: 'AES-256-GCM',
    key: GCM_KEY + GCM_KEY,
    nonce: GCM_IV,
    aad: GCM_AAD,
    plaintext: GCM_PLAINTEXT_60,
    ciphertext: GCM256_CIPHERTEXT.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
  {
    name: 'RFC 8439 §2.8.2',
    algorithm: 'CHACHA20-POLY1305',
    key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    nonce: '070000004041424344454647',
    aad: '50515253c0c1c2c3c4c5c6c7',
    // "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    plaintext:
      '4c616469657320616e642047656e746c656d656e206f662074686520636c6173' +
      '73206f66202739393a204966204920636f756c64206f6666657220796f75206f' +
      '6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73' +
      '637265656e20776f756c642062652069742e',
    ciphertext:
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
      '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
      '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
      '3ff4def08e4b7a9de576d26586cec64b6116',
    tag: '1ae10b594f09e26a7e902ecbd0600691',
  },
];

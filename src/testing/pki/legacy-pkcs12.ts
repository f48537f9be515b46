import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** Input of {@link encodeLegacyPkcs12}. */
export interface LegacyPkcs12Input {
  /** RSA private key, PEM (PKCS#1 or PKCS#8). */
  privateKeyPem: string;
  /** The certificate stored next to the key, PEM. */
  certificatePem: string;
  /** Password of the container. */
  password: string;
  /** PBE iteration count of both bags; default 2048 like real ClientKeys. */
  iterations?: number;
}

const { asn1 } = forge;
const oid = (name: string): string => {
  const value = forge.pki.oids[name];
  if (!value) throw new Error(`unknown OID name ${name}`);
  return asn1.oidToDer(value).getBytes();
};
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oidNode = (name: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, oid(name));
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const integer = (value: number) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const explicit0 = (node: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [node]);
const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();

/** PKCS#12 `pkcs-12PbeParams` algorithm identifier. */
function pbeAlgorithm(name: string, salt: string, iterations: number): forge.asn1.Asn1 {
  return seq([oidNode(name), seq([octets(salt), integer(iterations)])]);
}

/**
 * Encodes a key and its certificate as a PKCS#12 file shaped like the ClientKeys the KMS console issues:
 * the certificate bag encrypted with pbeWithSHAAnd40BitRC2-CBC, the key as a pkcs8ShroudedKeyBag with
 * pbeWithSHAAnd3-KeyTripleDES-CBC, and an HMAC-SHA1 MAC with one iteration. Node's OpenSSL 3 cannot read
 * this without the legacy provider, which is exactly what client-key loading must cope with.
 * node-forge writes only modern or unencrypted certificate bags, so the container is assembled here from
 * its ASN.1 and cipher primitives. TEST ONLY. Returns the DER bytes.
 */
export function encodeLegacyPkcs12(input: LegacyPkcs12Input): Buffer {
  const iterations = input.iterations ?? 2048;
  const key = forge.pki.privateKeyFromPem(input.privateKeyPem);
  const cert = forge.pki.certificateFromPem(input.certificatePem);
  const localKeyId = set([octets(forge.md.sha1.create().update(der(forge.pki.certificateToAsn1(cert))).digest().getBytes())]);
  const bagAttributes = set([seq([oidNode('localKeyId'), localKeyId])]);

  // Certificate bag, then encrypted as PKCS#7 EncryptedData with RC2-40 (the legacy part OpenSSL 3 refuses).
  const certBag = seq([
    oidNode('certBag'),
    explicit0(seq([oidNode('x509Certificate'), explicit0(octets(der(forge.pki.certificateToAsn1(cert))))])),
    bagAttributes,
  ]);
  const certSalt = randomBytes(8).toString('binary');
  const saltBuffer = () => forge.util.createBuffer(certSalt);
  const rc2Key = forge.pkcs12.generateKey(input.password, saltBuffer(), 1, iterations, 5);
  const rc2Iv = forge.pkcs12.generateKey(input.password, saltBuffer(), 2, iterations, 8);
  const rc2 = forge.rc2.createEncryptionCipher(rc2Key, 40);
  rc2.start(rc2Iv);
  rc2.update(forge.util.createBuffer(der(seq([certBag]))));
  rc2.finish();
  const certContentInfo = seq([
    oidNode('encryptedData'),
    explicit0(
      seq([
        integer(0),
        seq([
          oidNode('data'),
          pbeAlgorithm('pbewithSHAAnd40BitRC2-CBC', certSalt, iterations),
          asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, rc2.output.getBytes()),
        ]),
      ]),
    ),
  ]);

  // Key bag: node-forge's '3des' mode is exactly pbeWithSHAAnd3-KeyTripleDES-CBC.
  const shroudedKey = forge.pki.encryptPrivateKeyInfo(
    forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)),
    input.password,
    { algorithm: '3des', count: iterations },
  );
  const keyBag = seq([oidNode('pkcs8ShroudedKeyBag'), explicit0(shroudedKey), bagAttributes]);
  const keyContentInfo = seq([oidNode('data'), explicit0(octets(der(seq([keyBag]))))]);

  const authenticatedSafe = der(seq([certContentInfo, keyContentInfo]));
  const macSalt = randomBytes(8).toString('binary');
  const macKey = forge.pkcs12.generateKey(input.password, forge.util.createBuffer(macSalt), 3, 1, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(authenticatedSafe);
  const macData = seq([
    seq([seq([oidNode('sha1'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(macSalt),
    integer(1),
  ]);
  const pfx = seq([integer(3), seq([oidNode('data'), explicit0(octets(authenticatedSafe))]), macData]);
  return Buffer.from(der(pfx), 'binary');
}

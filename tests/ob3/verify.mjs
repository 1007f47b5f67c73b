// Verifies an Open Badges 3.0 credential in VC-JWT form as OB 3.0 section 8.2.4 describes, the way a
// verifier outside NordLearn does: dereference the `kid` of the JOSE header to the issuer's public JWK,
// check the RS256 signature (panva/jose), check that iss, sub, nbf and jti mirror the credential, and
// read its revocation status from the W3C Bitstring Status List it names (Digital Bazaar's
// implementation), after verifying that list's own VC-JWT the same way.
// Usage: node verify.mjs FILE   (prints a JSON report; exit code 0 when the credential verifies)
import {readFileSync} from "node:fs";
import {decodeProtectedHeader, importJWK, jwtVerify} from "jose";
import {checkStatus} from "@digitalbazaar/vc-bitstring-status-list";

async function verifiedPayload(token) {
  const header = decodeProtectedHeader(token);
  if (header.alg !== "RS256") throw new Error(`unexpected alg ${header.alg}`);
  let jwk = header.jwk;
  if (header.kid) {
    const answer = await fetch(header.kid, {redirect: "error"});
    if (!answer.ok) throw new Error(`kid ${header.kid} answered ${answer.status}`);
    jwk = await answer.json();
  }
  if (!jwk || "d" in jwk) throw new Error("no public key");
  const {payload} = await jwtVerify(token, await importJWK(jwk, "RS256"), {algorithms: ["RS256"]});
  return payload;
}

function checkClaims(payload, errors) {
  const vc = payload.vc;
  if (!vc || typeof vc !== "object") throw new Error("no vc claim");
  const issuer = typeof vc.issuer === "object" ? vc.issuer.id : vc.issuer;
  if (payload.iss !== issuer) errors.push("iss does not match issuer.id");
  if (vc.credentialSubject && payload.sub !== vc.credentialSubject.id) errors.push("sub does not match");
  if (payload.jti !== vc.id) errors.push("jti does not match id");
  const validFrom = Date.parse(vc.validFrom ?? vc.issuanceDate);
  if (payload.nbf * 1000 !== validFrom) errors.push("nbf does not match validFrom");
  if (validFrom > Date.now()) errors.push("not valid yet");
  return vc;
}

const token = readFileSync(process.argv[2], "utf8").trim();
const errors = [];
const report = {};
try {
  const vc = checkClaims(await verifiedPayload(token), errors);
  for (const type of ["VerifiableCredential", "OpenBadgeCredential"]) {
    if (!vc.type.includes(type)) errors.push(`type lacks ${type}`);
  }
  const subject = vc.credentialSubject;
  if (!subject.type.includes("AchievementSubject")) errors.push("subject is not an AchievementSubject");
  const achievement = subject.achievement;
  if (!achievement?.type?.includes("Achievement") || !achievement.criteria) errors.push("no achievement criteria");
  report.issuer = vc.issuer;
  report.achievement = {name: achievement?.name, version: achievement?.version,
                        creditsAvailable: achievement?.creditsAvailable};
  report.name = subject.identifier?.find(i => i.identityType === "name")?.identityHash;
  const documentLoader = async url => {
    const answer = await fetch(url, {headers: {accept: "application/vc+jwt"}, redirect: "error"});
    if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
    const listPayload = await verifiedPayload(await answer.text());
    checkClaims(listPayload, errors);
    return {document: listPayload.vc};
  };
  const status = await checkStatus({credential: vc, documentLoader, verifyBitstringStatusListCredential: false,
                                    verifyMatchingIssuers: true});
  if (!status.verified) errors.push(`status: ${status.error?.message}`);
  report.revoked = status.results.some(result => result.credentialStatus.statusPurpose === "revocation" && result.status === true);
} catch (error) {
  errors.push(String(error.message || error));
}
report.errors = errors;
report.verified = errors.length === 0;
console.log(JSON.stringify(report));
process.exit(report.verified ? 0 : 1);

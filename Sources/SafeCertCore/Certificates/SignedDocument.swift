import Crypto
import Foundation

/// A document signed as a compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037):
/// `base64url(header).base64url(payload).base64url(signature)`, the header naming the key
/// (`kid`, as `CertificateSigningKey.id`). The public status list and the key set travel this
/// way so that any JOSE library — not only ours — can check them offline.
public enum SignedDocument {
    public enum Failure: Error, Equatable, Sendable {
        case malformed
        case unsupportedAlgorithm(String)
        case unknownKey(String)
        case badSignature

        public var message: String {
            switch self {
            case .malformed: "签名文档格式无法识别"
            case .unsupportedAlgorithm(let alg): "不支持的签名算法：\(alg)"
            case .unknownKey(let id): "签名密钥未公布：\(id)"
            case .badSignature: "签名校验未通过，文档可能被篡改"
            }
        }
    }

    struct Header: Codable, Equatable {
        let alg: String
        let kid: String
        let typ: String?
    }

    public static func sign(_ payload: Data, type: String, with key: CertificateSigningKey) throws -> String {
        let header = try JSONEncoder.sorted.encode(Header(alg: "EdDSA", kid: key.id, typ: type))
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try key.key.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// The payload and the signing key's id, when the signature holds under one of `keys`.
    public static func verify(_ jws: String, keys: [String: Curve25519.Signing.PublicKey]) throws(Failure) -> (payload: Data, keyID: String) {
        let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes))
        else { throw .malformed }
        // Only EdDSA: a verifier that let the document choose would accept "none" or a MAC.
        guard header.alg == "EdDSA" else { throw .unsupportedAlgorithm(header.alg) }
        guard let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else { throw .malformed }
        guard let key = keys[header.kid] else { throw .unknownKey(header.kid) }
        guard key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8)) else { throw .badSignature }
        return (Data(payload), header.kid)
    }
}

extension JSONEncoder {
    /// Keys in a fixed order, so the same document always serialises to the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

import Foundation

/// What a certificate's record says happened to it (DESIGN.md §2: valid ⇄ suspended; valid
/// ─expires─▶ expired; any ─cancel / revoke─▶ cancelled). The live status on a day follows from
/// these facts alone (`CertificateStanding.status(on:)`), so a suspension lifts itself at its end
/// and a certificate expires without anyone writing anything.
public struct CertificateStanding: Sendable, Hashable {
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate
    /// 暂扣: suspended up to and including this day.
    public var suspendedUntil: CalendarDate?
    /// 撤销 (revocation, e.g. obtained by fraud) and 注销 (cancellation): final.
    public var revokedOn: CalendarDate?
    public var cancelledOn: CalendarDate?

    public init(validFrom: CalendarDate, validUntil: CalendarDate, suspendedUntil: CalendarDate? = nil,
                revokedOn: CalendarDate? = nil, cancelledOn: CalendarDate? = nil) {
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.suspendedUntil = suspendedUntil
        self.revokedOn = revokedOn
        self.cancelledOn = cancelledOn
    }

    public func status(on day: CalendarDate) -> CertificateStatus {
        if let cancelledOn, cancelledOn <= day { return .cancelled }
        if let revokedOn, revokedOn <= day { return .revoked }
        if day > validUntil { return .expired }
        if let suspendedUntil, day <= suspendedUntil { return .suspended(until: suspendedUntil) }
        if day < validFrom { return .notYetValid }
        return .valid
    }

    /// The national e-licence rule: the e-certificate is handed out only while it is valid.
    public func mayDownloadElectronicCertificate(on day: CalendarDate) -> Bool {
        status(on: day) == .valid
    }
}

public enum CertificateStatus: Sendable, Hashable {
    case valid
    case notYetValid
    case suspended(until: CalendarDate)
    case expired
    case revoked
    case cancelled

    public var key: String {
        switch self {
        case .valid: "valid"
        case .notYetValid: "not-yet-valid"
        case .suspended: "suspended"
        case .expired: "expired"
        case .revoked: "revoked"
        case .cancelled: "cancelled"
        }
    }

    public var label: String {
        switch self {
        case .valid: "有效"
        case .notYetValid: "未到生效日期"
        case .suspended(let until): "暂扣（至 \(until.iso)）"
        case .expired: "已过期"
        case .revoked: "已撤销"
        case .cancelled: "已注销"
        }
    }

    /// The bits the public status list carries for it (one list for revoked — revoked and
    /// cancelled alike, both final — and one for suspended); expiry is in the signed QR itself.
    public var statusListBits: (revoked: Bool, suspended: Bool) {
        switch self {
        case .revoked, .cancelled: (true, false)
        case .suspended: (false, true)
        case .valid, .notYetValid, .expired: (false, false)
        }
    }
}

/// One version of a qualification's terms: national, or one province's override, in force from
/// `effectiveFrom` until a later version of the same scope replaces it.
public struct CatalogueEntry: Sendable, Hashable, Codable {
    public var qualificationCode: String
    public var effectiveFrom: CalendarDate
    /// nil = the national default; a province's 6-digit code ("220000") = that province's override.
    public var province: String?
    public var terms: QualificationTerms
    /// The document this version follows, shown to the admin ("建质〔2008〕75号").
    public var source: String

    public init(qualificationCode: String, effectiveFrom: CalendarDate, province: String? = nil, terms: QualificationTerms, source: String) {
        self.qualificationCode = qualificationCode
        self.effectiveFrom = effectiveFrom
        self.province = province
        self.terms = terms
        self.source = source
    }
}

/// The qualification catalogue: data, seeded with `defaults`, edited by the system admin and
/// stored as JSON.
///
/// Which entry applies to (code, province, date):
/// 1. only entries of that code with `effectiveFrom <= date` count;
/// 2. if the province has any such entry, the one with the latest `effectiveFrom` applies —
///    even when a newer national version exists, because an override replaces the whole terms
///    and the province has not said it accepts the new national ones (`outdatedOverrides` lists
///    these cases so the admin can review them);
/// 3. otherwise the national entry with the latest `effectiveFrom` applies;
/// 4. two entries of the same code, scope and date are a data error (`problems` reports it);
///    the one listed later wins, so an appended correction takes effect.
public struct QualificationCatalogue: Sendable, Hashable, Codable {
    public var types: [QualificationType]
    public var entries: [CatalogueEntry]

    public init(types: [QualificationType], entries: [CatalogueEntry]) {
        self.types = types
        self.entries = entries
    }

    public func type(code: String) -> QualificationType? { types.first { $0.code == code } }

    public func terms(for code: String, province: String?, on date: CalendarDate) -> QualificationTerms? {
        entry(for: code, province: province, on: date)?.terms
    }

    /// `province` may be any region code inside the province ("220102" counts as "220000").
    public func entry(for code: String, province: String?, on date: CalendarDate) -> CatalogueEntry? {
        let inForce = entries.filter { $0.qualificationCode == code && $0.effectiveFrom <= date }
        if let province = province.flatMap(QualificationCatalogue.provinceCode(of:)),
           let override = QualificationCatalogue.latest(inForce.filter { $0.province == province }) {
            return override
        }
        return QualificationCatalogue.latest(inForce.filter { $0.province == nil })
    }

    public func qualification(code: String, province: String?, on date: CalendarDate) -> Qualification? {
        guard let type = type(code: code), let terms = terms(for: code, province: province, on: date) else { return nil }
        return Qualification(type: type, terms: terms)
    }

    /// The qualifications of a scheme that have terms in force, in catalogue order.
    public func qualifications(in scheme: QualificationScheme, province: String?, on date: CalendarDate) -> [Qualification] {
        types.filter { $0.scheme == scheme }.compactMap { qualification(code: $0.code, province: province, on: date) }
    }

    /// Province overrides in force on `date` that predate the national version in force, so the
    /// province's terms still ignore a newer national rule.
    public func outdatedOverrides(on date: CalendarDate) -> [CatalogueEntry] {
        var outdated: [CatalogueEntry] = []
        let keys = Set(entries.compactMap { entry in entry.province.map { ProvinceKey(code: entry.qualificationCode, province: $0) } })
        for key in keys.sorted(by: { ($0.code, $0.province) < ($1.code, $1.province) }) {
            guard let override = entry(for: key.code, province: key.province, on: date), override.province != nil,
                  let national = entry(for: key.code, province: nil, on: date),
                  override.effectiveFrom < national.effectiveFrom
            else { continue }
            outdated.append(override)
        }
        return outdated
    }

    /// What the system admin must fix before saving; empty when consistent.
    public var problems: [String] {
        var problems: [String] = []
        var seenCodes = Set<String>()
        for type in types where !seenCodes.insert(type.code).inserted {
            problems.append("资格类型代码「\(type.code)」重复")
        }
        for type in types where !entries.contains(where: { $0.qualificationCode == type.code && $0.province == nil }) {
            problems.append("资格类型「\(type.name)」没有全国默认条款")
        }
        var seenVersions = Set<String>()
        for entry in entries {
            let scope = entry.province ?? "全国"
            let label = "\(entry.qualificationCode)（\(scope)，\(entry.effectiveFrom.iso) 起）"
            if !seenCodes.contains(entry.qualificationCode) {
                problems.append("\(label)：未知的资格类型代码")
            }
            if let province = entry.province, QualificationCatalogue.provinceCode(of: province) != province {
                problems.append("\(label)：省份代码应为 6 位且以 0000 结尾")
            }
            if !seenVersions.insert("\(entry.qualificationCode)|\(scope)|\(entry.effectiveFrom.iso)").inserted {
                problems.append("\(label)：同一范围同一生效日期有多个版本")
            }
            problems += entry.terms.problems.map { "\(label)：\($0)" }
        }
        return problems
    }

    /// The province a 6-digit region code lies in ("220102" → "220000"); nil for the nationwide
    /// code or anything that isn't six digits.
    public static func provinceCode(of regionCode: String) -> String? {
        guard regionCode.count == 6, regionCode.allSatisfy(\.isASCII), regionCode.allSatisfy(\.isNumber),
              regionCode != Region.nationwideCode
        else { return nil }
        return regionCode.prefix(2) + "0000"
    }

    private struct ProvinceKey: Hashable {
        let code: String
        let province: String
    }

    private static func latest(_ candidates: [CatalogueEntry]) -> CatalogueEntry? {
        var latest: CatalogueEntry?
        for candidate in candidates where latest.map({ candidate.effectiveFrom >= $0.effectiveFrom }) ?? true {
            latest = candidate
        }
        return latest
    }
}

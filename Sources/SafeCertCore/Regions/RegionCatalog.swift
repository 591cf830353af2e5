import Foundation

/// A GB/T 2260 administrative division.
public struct Region: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Codable { case province, city, county }
    public let code: String
    public let name: String
    public let level: Level
    public let parentCode: String?

    public init(code: String, name: String, level: Level, parentCode: String?) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }

    /// Codes of organisations with nationwide remit (the national centre, the platform).
    public static let nationwideCode = "000000"

    /// The code prefix shared by everything inside this division: "22" for 吉林省, "2201" for 长春市.
    public var scopePrefix: String { Region.scopePrefix(of: code) }

    public static func scopePrefix(of code: String) -> String {
        if code == nationwideCode { return "" }
        if code.hasSuffix("0000") { return String(code.prefix(2)) }
        if code.hasSuffix("00") { return String(code.prefix(4)) }
        return code
    }
}

/// The divisions shipped with SafeCert (`Resources/regions.csv`, copied from shared/data).
public struct RegionCatalog: Sendable {
    public let regions: [Region]
    private let byCode: [String: Region]

    public init(regions: [Region]) {
        self.regions = regions
        self.byCode = Dictionary(regions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loaded once from the bundled CSV.
    public static let shared: RegionCatalog = {
        guard let url = Bundle.module.url(forResource: "regions", withExtension: "csv"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return RegionCatalog(regions: []) }
        return RegionCatalog(csv: text)
    }()

    public init(csv: String) {
        var parsed: [Region] = []
        for line in csv.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, let level = Region.Level(rawValue: fields[2]) else { continue }
            let parent = fields.count > 3 && !fields[3].isEmpty ? fields[3] : nil
            parsed.append(Region(code: fields[0], name: fields[1], level: level, parentCode: parent))
        }
        self.init(regions: parsed)
    }

    public func region(code: String) -> Region? { byCode[code] }

    public var provinces: [Region] { regions.filter { $0.level == .province } }

    public func cities(of provinceCode: String) -> [Region] {
        regions.filter { $0.level == .city && $0.parentCode == provinceCode }
    }

    /// "吉林省 长春市" for a city; "全国" for the nationwide code.
    public func fullName(code: String) -> String {
        if code == Region.nationwideCode { return "全国" }
        guard let region = byCode[code] else { return code }
        var names = [region.name]
        var parent = region.parentCode
        while let code = parent, let up = byCode[code] {
            if up.name != names.first { names.insert(up.name, at: 0) }
            parent = up.parentCode
        }
        return names.joined(separator: " ")
    }

    /// Whether `code` lies inside the division `container` (a division contains itself).
    public func contains(_ container: String, _ code: String) -> Bool {
        code.hasPrefix(Region.scopePrefix(of: container))
    }

    /// Provinces and prefecture-level cities: the divisions organisations are registered in.
    public var selectable: [Region] { regions.filter { $0.level != .county } }

    /// The city-level entry of a municipality (北京市 under 北京市, both 重庆市 entries under
    /// 重庆市): GB/T 2260's 市辖区 / 县 groupings, named like the province itself.
    public func repeatsProvince(_ region: Region) -> Bool {
        guard region.level == .city, let parent = region.parentCode.flatMap({ byCode[$0] }) else { return false }
        return parent.name == region.name
    }
}

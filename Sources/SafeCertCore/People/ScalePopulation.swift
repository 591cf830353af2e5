import Foundation

/// The synthetic register `safecert seed --scale people=N` writes: person number `index`
/// (0, 1, 2, …) always gets the same valid ID number, name, phone and status, so that a second
/// run tops the register up to N by writing the numbers after those already there.
public enum ScalePopulation {
    public enum SpecError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case tooMany(Int)

        public var description: String {
            switch self {
            case .malformed(let text): "规模参数应为 people=人数（例如 people=1000000），收到「\(text)」"
            case .tooMany(let n): "人数 \(n) 超过上限 \(ScalePopulation.maximumPeople)"
            }
        }
    }

    /// The phone numbers of seeded people are 170 + eight digits of their index, which is also
    /// how a later run finds how many are already there.
    public static let phonePrefix = "170"
    public static let maximumPeople = 20_000_000

    /// `people=N` → N (underscores and commas allowed in N).
    public static func parse(_ spec: String) throws(SpecError) -> Int {
        let parts = spec.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "people" else { throw .malformed(spec) }
        let digits = parts[1].filter { $0 != "_" && $0 != "," }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else {
            throw .malformed(spec)
        }
        guard n <= maximumPeople else { throw .tooMany(n) }
        return n
    }

    public struct Person: Sendable, Equatable {
        public let idNumber: IDNumber
        public let name: String
        public let gender: Gender
        public let birthDate: CalendarDate
        public let phone: String
        public let status: PersonStatus
    }

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    static let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红文辉玉萍鹏宇飞斌浩凯欣婷雪琳晨")
    static let firstBirth = CalendarDate(year: 1966, month: 1, day: 1)!

    /// Person number `index` with an ID number issued in one of `birthRegions` (county codes):
    /// the sequence (500–999, above the demo data's) and the county vary fastest, then the birth
    /// date, so numbers never repeat below `capacity(birthRegions:)`.
    public static func person(_ index: Int, birthRegions: [String]) -> Person? {
        guard index >= 0, index < capacity(birthRegions: birthRegions.count), let firstRegion = birthRegions.first else { return nil }
        let sequence = 500 + index % 500
        let rest = index / 500
        let region = birthRegions.indices.contains(rest % birthRegions.count) ? birthRegions[rest % birthRegions.count] : firstRegion
        let birth = firstBirth.adding(days: rest / birthRegions.count)
        let id = IDNumber.generate(region: region, birth: birth, sequence: sequence)
        let name = String(surnames[index % surnames.count]) + String(given[(index / surnames.count) % given.count])
            + (index % 3 == 0 ? "" : String(given[(index / (surnames.count * given.count)) % given.count]))
        let status: PersonStatus = switch index % 20 {
        case 0..<14: .approved
        case 14..<18: .submitted
        case 18: .returned
        default: .cancelled
        }
        return Person(idNumber: id, name: name, gender: sequence % 2 == 1 ? .male : .female, birthDate: birth,
                      phone: phonePrefix + TextNormalization.zeroPadded(index, width: 8), status: status)
    }

    /// How many distinct people the mapping gives: 500 sequences × the counties × ~30 years of
    /// birth dates, and never more than the phone numbers' eight digits.
    public static func capacity(birthRegions: Int) -> Int {
        min(500 * birthRegions * 11_000, 100_000_000)
    }
}

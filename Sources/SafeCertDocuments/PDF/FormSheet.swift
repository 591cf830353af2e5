import Foundation

/// A printable Chinese form such as 安全生产考核报名表: a title, a bordered table of
/// label/value cells with an optional 1-inch photo at its top right, and footer lines for
/// signatures and dates. `FormSheetRenderer` turns sheets into PDF pages.
///
/// ```swift
/// let sheet = FormSheet(
///     title: "安全生产考核报名表",
///     number: "编号：AQ-2024-000123",
///     rows: [
///         .pair("姓名", "张三", "性别", "男"),
///         .pair("身份证号", "110105194912310020", "民族", "汉族"),
///         .wide("个人简历", resume, minHeight: 120),
///     ],
///     photo: jpegData,
///     footer: ["单位盖章：                    日期：      年    月    日"]
/// )
/// let pdf = FormSheetRenderer.render([sheet])
/// ```
public struct FormSheet: Sendable, Hashable {
    /// One label cell and the value cell to its right.
    public struct Field: Sendable, Hashable {
        public var label: String
        public var value: String

        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// One table row: its fields share the row's width equally (label cells have a fixed
    /// width, value cells take the rest) and wrap; the row grows to its tallest cell.
    public struct Row: Sendable, Hashable {
        public var fields: [Field]
        /// The row is at least this tall (points), e.g. room for a handwritten 单位意见.
        public var minHeight: Double

        public init(_ fields: [Field], minHeight: Double = 0) {
            self.fields = fields
            self.minHeight = minHeight
        }

        /// Two label/value pairs side by side: 姓名 | 张三 | 性别 | 男.
        public static func pair(_ label: String, _ value: String, _ secondLabel: String, _ secondValue: String) -> Row {
            Row([Field(label, value), Field(secondLabel, secondValue)])
        }

        /// One label/value across the whole width, for long text (个人简历, 单位意见). The value
        /// starts at the top of its cell.
        public static func wide(_ label: String, _ value: String, minHeight: Double = 0) -> Row {
            Row([Field(label, value)], minHeight: minHeight)
        }
    }

    /// Large and centred at the top of the first page, e.g. 安全生产考核报名表.
    public var title: String
    /// A smaller centred line under the title, if any.
    public var subtitle: String?
    /// A right-aligned line just above the table, e.g. 编号：AQ-2024-000123.
    public var number: String?
    public var rows: [Row]
    /// Whether the table has the 1-inch (25 × 35 mm) photo box at its top right.
    public var photoBox: Bool
    /// The JPEG for the photo box. Without one, or if it cannot be read, the box stays empty,
    /// labelled 照片. Its bytes are embedded unchanged, so pass a thumbnail-sized photo.
    public var photo: Data?
    /// Lines under the table, e.g. "单位盖章：        日期：". Spaces are kept, so they can
    /// leave room for signatures.
    public var footer: [String]

    public init(
        title: String, subtitle: String? = nil, number: String? = nil, rows: [Row] = [],
        photoBox: Bool = true, photo: Data? = nil, footer: [String] = []
    ) {
        self.title = title
        self.subtitle = subtitle
        self.number = number
        self.rows = rows
        self.photoBox = photoBox
        self.photo = photo
        self.footer = footer
    }
}

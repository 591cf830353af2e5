import Foundation

/// One candidate's admission ticket (准考证) for one sitting, as printed by
/// `AdmissionTicketRenderer` (PDF or Word).
///
/// Every value is display text, already formatted and, for the ID number, already masked:
/// the renderer prints what it is given and decides nothing.
///
/// ```swift
/// let ticket = AdmissionTicket(
///     ticketNumber: "2024110100123",
///     photo: thumbnailJPEG,
///     name: "张三",
///     maskedIDNumber: "1101**********0020",
///     qualification: "特种作业·低压电工作业",
///     examType: "安全技术理论考试（机考）",
///     centre: "长春市安全生产考试中心",
///     room: "第3考场",
///     seat: "18",
///     date: "2024年11月20日",
///     time: "09:00–10:30",
///     address: "长春市朝阳区某某路100号",
///     rules: AdmissionTicket.standardRules,
///     qrPayload: signedToken
/// )
/// ```
public struct AdmissionTicket: Sendable, Hashable {
    /// 准考证号.
    public var ticketNumber: String
    /// The candidate's ID photo as a JPEG (a thumbnail: its bytes are embedded unchanged),
    /// or nil for an empty photo box. A file that is not a readable JPEG also leaves the box empty.
    public var photo: Data?
    /// 姓名.
    public var name: String
    /// 身份证号, masked by the caller (e.g. 1101**********0020).
    public var maskedIDNumber: String
    /// 报考资格: the certificate applied for, e.g. 特种作业·低压电工作业.
    public var qualification: String
    /// 考试类型, e.g. 安全技术理论考试（机考）or 实际操作考试.
    public var examType: String
    /// 考点名称.
    public var centre: String
    /// 考场.
    public var room: String
    /// 座位号.
    public var seat: String
    /// 考试日期, formatted.
    public var date: String
    /// 考试时间, formatted.
    public var time: String
    /// 考点地址.
    public var address: String
    /// 考生须知, one rule per entry, without numbers: the renderer numbers them.
    public var rules: [String]
    /// What the QR code holds (the app passes a signed token that the exam-room check-in
    /// scans). An empty payload prints no QR code.
    public var qrPayload: String

    public init(
        ticketNumber: String, photo: Data? = nil, name: String, maskedIDNumber: String,
        qualification: String, examType: String, centre: String, room: String, seat: String,
        date: String, time: String, address: String, rules: [String] = AdmissionTicket.standardRules,
        qrPayload: String
    ) {
        self.ticketNumber = ticketNumber
        self.photo = photo
        self.name = name
        self.maskedIDNumber = maskedIDNumber
        self.qualification = qualification
        self.examType = examType
        self.centre = centre
        self.room = room
        self.seat = seat
        self.date = date
        self.time = time
        self.address = address
        self.rules = rules
        self.qrPayload = qrPayload
    }

    /// The usual 考生须知 for a safety-exam sitting.
    public static let standardRules: [String] = [
        "考生须凭本准考证和有效居民身份证原件参加考试，二者缺一不得入场。",
        "考生应于考试开始前30分钟到达考点，开考15分钟后不得入场，考试开始30分钟内不得交卷离场。",
        "考生入场后按座位号就座，并将准考证、身份证放在桌面左上角，以备查验。",
        "严禁携带手机、智能手表等电子设备及书籍、资料进入考场，已带入的须关机后放在指定位置。",
        "考试期间须保持安静，服从监考人员管理，不得交头接耳、抄袭或协助他人作弊。",
        "考试结束后须在监考人员确认后方可离开考场，不得将试题、草稿纸带出考场。",
        "本准考证须妥善保管，不得涂改、转借；二维码用于入场身份核验，请勿折叠或污损。",
    ]
}

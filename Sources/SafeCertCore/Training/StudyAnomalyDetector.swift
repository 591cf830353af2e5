import Foundation

/// One heartbeat as the app stored it, verified or not.
public struct RecordedBeat: Sendable, Hashable, Codable {
    public var sessionID: UUID
    public var receivedAt: Date
    /// nil when the beat was credited.
    public var rejection: HeartbeatRejection?
    public var deviceID: String
    public var ip: String
    /// A face snapshot arrived with this beat, or since the session's previous one.
    public var snapshotTaken: Bool
    /// Where the page said the media was; nil for documents and beats stored before it was kept.
    public var position: Double?

    public init(sessionID: UUID, receivedAt: Date, rejection: HeartbeatRejection? = nil, deviceID: String,
                ip: String, snapshotTaken: Bool = false, position: Double? = nil) {
        self.sessionID = sessionID
        self.receivedAt = receivedAt
        self.rejection = rejection
        self.deviceID = deviceID
        self.ip = ip
        self.snapshotTaken = snapshotTaken
        self.position = position
    }

    public var accepted: Bool { rejection == nil }
}

public enum StudyAnomalyKind: String, Sendable, Codable, CaseIterable {
    /// A session went silent, then beat again.
    case gap
    /// Beats kept coming while the media position stood still.
    case positionStalled
    /// Beats kept coming after the media had ended.
    case beatsAfterEnd
    /// The position jumped ahead of the time that passed, or beyond the media's length.
    case positionJump
    /// The position kept a pace other than 1×, or the player reported another rate.
    case playbackRate
    /// Two sessions earned credit over the same period.
    case overlappingSessions
    /// Credit alternated between devices, or one session's token was used on another device.
    case multipleDevices
    /// Many beats of one kind were refused.
    case rejectedHeartbeats
    /// Credited study went on past the snapshot deadline without a face snapshot.
    case missingSnapshot

    public var label: String {
        switch self {
        case .gap: "心跳中断"
        case .positionStalled: "视频进度停滞"
        case .beatsAfterEnd: "视频结束后仍有心跳"
        case .positionJump: "视频进度跳跃"
        case .playbackRate: "播放速度异常"
        case .overlappingSessions: "多个学习页面同时计时"
        case .multipleDevices: "多台设备学习"
        case .rejectedHeartbeats: "心跳多次被拒绝"
        case .missingSnapshot: "未按时抓拍"
        }
    }
}

/// Something in a learner's study record that a regulator should look at before accepting the hours.
public struct StudyAnomaly: Sendable, Hashable, Codable {
    public var kind: StudyAnomalyKind
    public var start: Date
    public var end: Date
    public var sessionIDs: [UUID]
    /// A sentence for the regulator, with the times in Beijing time.
    public var message: String

    public init(kind: StudyAnomalyKind, start: Date, end: Date, sessionIDs: [UUID], message: String) {
        self.kind = kind
        self.start = start
        self.end = end
        self.sessionIDs = sessionIDs
        self.message = message
    }
}

/// Reads a learner's recorded beats for patterns no single beat shows. The judge already refused
/// what it could; these are hints for a human, so each comes with the window to look at.
///
/// Beat timing alone is not read as evidence: a browser's timer is as regular as a script's (both
/// fire every interval give or take a few milliseconds of scheduling and network), so "too regular"
/// flagged ordinary learners and no script. What a script cannot fake cheaply is the media: a
/// position that stands still, jumps or keeps the wrong pace while beats keep coming, and beats
/// after the end. The lesson page stops beating once it has reported a pause or the end and starts
/// a new session when playing resumes or the learner seeks, so an honest page shows none of these.
public enum StudyAnomalyDetector {
    /// Pass one person's beats (any order, any number of sessions). Anomalies come sorted by start.
    public static func report(beats: [RecordedBeat], policy: StudyPolicy = .standard) -> [StudyAnomaly] {
        let sorted = beats.enumerated()
            .sorted { ($0.element.receivedAt, $0.offset) < ($1.element.receivedAt, $1.offset) }
            .map(\.element)
        var sessionOrder: [UUID] = []
        var bySession: [UUID: [RecordedBeat]] = [:]
        for beat in sorted {
            if bySession[beat.sessionID] == nil { sessionOrder.append(beat.sessionID) }
            bySession[beat.sessionID, default: []].append(beat)
        }

        var anomalies: [StudyAnomaly] = []
        for sessionID in sessionOrder {
            let session = bySession[sessionID] ?? []
            anomalies += gaps(in: session, policy: policy)
            anomalies += stalledPositions(in: session, policy: policy)
            anomalies += positionJumps(in: session)
            anomalies += playbackRates(in: session, policy: policy)
            anomalies += missingSnapshots(in: session, policy: policy)
            anomalies += deviceChanges(in: session)
        }
        anomalies += overlappingSessions(sessionOrder.map { bySession[$0] ?? [] })
        anomalies += alternatingDevices(sorted, policy: policy)
        anomalies += rejections(sorted, policy: policy)

        let kindOrder = Dictionary(uniqueKeysWithValues: StudyAnomalyKind.allCases.enumerated().map { ($1, $0) })
        return anomalies.sorted {
            ($0.start, kindOrder[$0.kind] ?? 0, $0.message) < ($1.start, kindOrder[$1.kind] ?? 0, $1.message)
        }
    }

    // MARK: Within one session

    /// Every silence longer than `gapThreshold` between two beats of the session.
    static func gaps(in session: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        zip(session, session.dropFirst()).compactMap { before, after in
            let silence = after.receivedAt.timeIntervalSince(before.receivedAt)
            guard silence > policy.gapThreshold else { return nil }
            return StudyAnomaly(kind: .gap, start: before.receivedAt, end: after.receivedAt, sessionIDs: [after.sessionID],
                                message: "学习页面心跳中断 \(duration(silence))后恢复（\(window(before.receivedAt, after.receivedAt))）")
        }
    }

    /// Runs of at least `stalledBeatThreshold` beats in a row whose position stood still (the page
    /// said paused, or said playing while it did not move), or that came with the media at its end.
    static func stalledPositions(in session: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        let threshold = max(1, policy.stalledBeatThreshold)
        var anomalies: [StudyAnomaly] = []
        var run: [RecordedBeat] = []

        func closeRun() {
            defer { run = [] }
            guard run.count >= threshold, let first = run.first, let last = run.last else { return }
            let at = first.position.map { "停在 \(StudyTime.mediaLength(seconds: $0))处" } ?? "未前进"
            if first.rejection == .afterEnd {
                anomalies.append(StudyAnomaly(
                    kind: .beatsAfterEnd, start: first.receivedAt, end: last.receivedAt, sessionIDs: [first.sessionID],
                    message: "视频播放完毕后仍连续 \(run.count) 次发送心跳（\(window(first.receivedAt, last.receivedAt))），"
                        + "学习页面在播放结束后即停止心跳，疑似脚本挂机"))
            } else {
                let claimedPlaying = run.contains { $0.rejection == .notAdvancing }
                anomalies.append(StudyAnomaly(
                    kind: .positionStalled, start: first.receivedAt, end: last.receivedAt, sessionIDs: [first.sessionID],
                    message: "连续 \(run.count) 次心跳视频进度\(at)（\(window(first.receivedAt, last.receivedAt))），"
                        + (claimedPlaying ? "页面却报告正在播放，疑似篡改播放状态或脚本伪造心跳" : "暂停后页面仍在发送心跳，疑似脚本挂机")))
            }
        }

        for beat in session {
            let stalled = beat.rejection == .notPlaying || beat.rejection == .notAdvancing
            let ended = beat.rejection == .afterEnd
            if let current = run.first?.rejection, (current == .afterEnd) != ended || !(stalled || ended) { closeRun() }
            if stalled || ended { run.append(beat) }
        }
        closeRun()
        return anomalies
    }

    /// Every beat whose position ran ahead of the time that passed, or beyond the media's length:
    /// the page blocks seeking past what was watched and starts a new session after any seek, so
    /// an honest page produces none.
    static func positionJumps(in session: [RecordedBeat]) -> [StudyAnomaly] {
        let jumps = session.filter { $0.rejection == .skippedAhead || $0.rejection == .pastEnd }
        guard let first = jumps.first, let last = jumps.last else { return [] }
        let furthest = jumps.compactMap(\.position).max().map { "，最远到 \(StudyTime.mediaLength(seconds: $0))处" } ?? ""
        return [StudyAnomaly(
            kind: .positionJump, start: first.receivedAt, end: last.receivedAt, sessionIDs: [first.sessionID],
            message: "视频进度 \(jumps.count) 次超出正常播放\(furthest)（\(window(first.receivedAt, last.receivedAt))），"
                + "疑似拖动进度条或篡改播放位置，相应时段未计学时")]
    }

    /// At least `suspiciousRejectionThreshold` beats in one session at a pace other than 1×: the
    /// player said it played faster, or the position kept a much slower pace while it said it played.
    static func playbackRates(in session: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        let off = session.filter { $0.rejection == .tooFast || $0.rejection == .tooSlow }
        guard off.count >= max(1, policy.suspiciousRejectionThreshold), let first = off.first, let last = off.last else { return [] }
        let fast = off.filter { $0.rejection == .tooFast }.count
        let detail = [fast > 0 ? "\(fast) 次报告倍速播放" : nil, off.count > fast ? "\(off.count - fast) 次进度慢于播放时间" : nil]
            .compactMap { $0 }.joined(separator: "，")
        return [StudyAnomaly(
            kind: .playbackRate, start: first.receivedAt, end: last.receivedAt, sessionIDs: [first.sessionID],
            message: "\(off.count) 次心跳的播放速度与 1 倍速不符（\(detail)；\(window(first.receivedAt, last.receivedAt))），"
                + "疑似倍速播放或篡改播放位置")]
    }

    /// Stretches in which credit went on past the snapshot deadline, counted from the first beat or
    /// the last snapshot. A stretch with no credited beat past the deadline (the page was hidden or
    /// idle) earned nothing, so it needs no snapshot.
    static func missingSnapshots(in session: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        guard let first = session.first else { return [] }
        var anomalies: [StudyAnomaly] = []
        var stretchStart = first.receivedAt
        var lastOverdue: Date?

        func closeStretch() {
            guard let overdue = lastOverdue else { return }
            anomalies.append(StudyAnomaly(
                kind: .missingSnapshot, start: stretchStart, end: overdue, sessionIDs: [first.sessionID],
                message: "连续 \(duration(overdue.timeIntervalSince(stretchStart)))计入学时但未抓拍人脸照片"
                    + "（\(window(stretchStart, overdue))），应每 \(Int(policy.minimumSnapshotDelay / 60)) 至 "
                    + "\(Int(policy.maximumSnapshotDelay / 60)) 分钟随机抓拍一次"))
            lastOverdue = nil
        }

        for beat in session {
            if beat.snapshotTaken {
                closeStretch()
                stretchStart = beat.receivedAt
            } else if beat.accepted, SnapshotSchedule.isOverdue(since: stretchStart, at: beat.receivedAt, policy: policy) {
                lastOverdue = beat.receivedAt
            }
        }
        closeStretch()
        return anomalies
    }

    /// A session's token is bound to the device that opened it; beats from another device mean the
    /// token was copied (the judge refused them and closed the session).
    static func deviceChanges(in session: [RecordedBeat]) -> [StudyAnomaly] {
        guard let first = session.first else { return [] }
        let foreign = session.filter { $0.deviceID != first.deviceID }
        guard let firstForeign = foreign.first, let lastForeign = foreign.last else { return [] }
        var devices: [String] = [first.deviceID]
        for beat in foreign where !devices.contains(beat.deviceID) { devices.append(beat.deviceID) }
        let described = devices.map { device in
            describe(device: device, ip: session.last(where: { $0.deviceID == device })?.ip ?? "")
        }
        return [StudyAnomaly(
            kind: .multipleDevices, start: firstForeign.receivedAt, end: lastForeign.receivedAt, sessionIDs: [first.sessionID],
            message: "同一学习页面的心跳来自 \(devices.count) 台设备（\(described.joined(separator: "、"))），"
                + "学习凭证被复制到其他设备（\(window(firstForeign.receivedAt, lastForeign.receivedAt))）")]
    }

    // MARK: Across sessions

    /// Pairs of sessions whose credited beats overlap in time: with one active session per person
    /// this cannot happen unless closing the older session failed.
    static func overlappingSessions(_ sessions: [[RecordedBeat]]) -> [StudyAnomaly] {
        let spans: [(id: UUID, first: Date, last: Date)] = sessions.compactMap { beats in
            let credited = beats.filter(\.accepted)
            guard let first = credited.first, let last = credited.last else { return nil }
            return (first.sessionID, first.receivedAt, last.receivedAt)
        }.sorted { $0.first < $1.first }

        var anomalies: [StudyAnomaly] = []
        for (index, earlier) in spans.enumerated() {
            for later in spans[(index + 1)...] where later.first < earlier.last {
                let end = min(earlier.last, later.last)
                anomalies.append(StudyAnomaly(
                    kind: .overlappingSessions, start: later.first, end: end, sessionIDs: [earlier.id, later.id],
                    message: "两个学习页面同时计入学时（\(window(later.first, end))），同一时间只应有一个页面计时"))
            }
        }
        return anomalies
    }

    /// Credit that goes device A, device B, device A again within `deviceWindow`: two people on one
    /// account, or one person playing two screens, each page re-opening the lesson in turn. A single
    /// switch (computer to phone) is not reported: the old page's next beat is refused, not credited.
    static func alternatingDevices(_ beats: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        struct Evidence { var start: Date; var end: Date; var sessions: [UUID] }
        var lastCredited: [String: RecordedBeat] = [:]
        var lastIP: [String: String] = [:]
        var pairs: [[String]] = []
        var evidence: [[String]: Evidence] = [:]

        for beat in beats where beat.accepted {
            lastIP[beat.deviceID] = beat.ip
            defer { lastCredited[beat.deviceID] = beat }
            guard let previous = lastCredited[beat.deviceID],
                  beat.receivedAt.timeIntervalSince(previous.receivedAt) <= policy.deviceWindow
            else { continue }
            let between = lastCredited.values.filter {
                $0.deviceID != beat.deviceID && $0.receivedAt > previous.receivedAt
            }
            for other in between {
                let pair = [beat.deviceID, other.deviceID].sorted()
                let sessions = [previous.sessionID, other.sessionID, beat.sessionID]
                if var known = evidence[pair] {
                    known.start = min(known.start, previous.receivedAt)
                    known.end = max(known.end, beat.receivedAt)
                    for id in sessions where !known.sessions.contains(id) { known.sessions.append(id) }
                    evidence[pair] = known
                } else {
                    pairs.append(pair)
                    var unique: [UUID] = []
                    for id in sessions where !unique.contains(id) { unique.append(id) }
                    evidence[pair] = Evidence(start: previous.receivedAt, end: beat.receivedAt, sessions: unique)
                }
            }
        }
        return pairs.compactMap { pair in
            guard let found = evidence[pair] else { return nil }
            let devices = pair.map { describe(device: $0, ip: lastIP[$0] ?? "") }.joined(separator: "与")
            return StudyAnomaly(
                kind: .multipleDevices, start: found.start, end: found.end, sessionIDs: found.sessions,
                message: "\(devices)在 \(duration(policy.deviceWindow))内交替计入学时（\(window(found.start, found.end))），"
                    + "疑似多人共用账号或代学")
        }
    }

    /// Refusals counted by reason; suspicious reasons are reported from a lower count. Refusals read
    /// from the media position are patterns of their own above.
    static func rejections(_ beats: [RecordedBeat], policy: StudyPolicy) -> [StudyAnomaly] {
        HeartbeatRejection.allCases.filter { !$0.isPlayback }.compactMap { reason in
            let refused = beats.filter { $0.rejection == reason }
            let threshold = reason.isSuspicious ? policy.suspiciousRejectionThreshold : policy.rejectionThreshold
            guard let first = refused.first, let last = refused.last, refused.count >= max(1, threshold) else { return nil }
            var sessions: [UUID] = []
            for beat in refused where !sessions.contains(beat.sessionID) { sessions.append(beat.sessionID) }
            return StudyAnomaly(
                kind: .rejectedHeartbeats, start: first.receivedAt, end: last.receivedAt, sessionIDs: sessions,
                message: "心跳被拒绝 \(refused.count) 次，原因：\(reason.label)"
                    + (reason.isSuspicious ? "，疑似伪造或篡改" : "") + "（\(window(first.receivedAt, last.receivedAt))）")
        }
    }

    // MARK: Wording

    /// "12 分 5 秒"; callers put a space before it, none after, as elsewhere ("年龄 17 岁，").
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        switch total {
        case ..<60:
            return "\(total) 秒"
        case ..<3600:
            return total % 60 == 0 ? "\(total / 60) 分钟" : "\(total / 60) 分 \(total % 60) 秒"
        default:
            let minutes = total % 3600 / 60
            return minutes == 0 ? "\(total / 3600) 小时" : "\(total / 3600) 小时 \(minutes) 分钟"
        }
    }

    /// "2026-11-23 09:30:05 至 09:42:10" in Beijing time; the second date in full only when the day
    /// changes, and one time alone for a single beat.
    static func window(_ start: Date, _ end: Date) -> String {
        let (startDay, startTime) = beijing(start)
        let (endDay, endTime) = beijing(end)
        if (startDay, startTime) == (endDay, endTime) { return "\(startDay) \(startTime)" }
        return "\(startDay) \(startTime) 至 " + (endDay == startDay ? endTime : "\(endDay) \(endTime)")
    }

    private static func beijing(_ date: Date) -> (day: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.chinaTimeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let pad = { (value: Int?) in TextNormalization.zeroPadded(value ?? 0, width: 2) }
        return ("\(TextNormalization.zeroPadded(parts.year ?? 0, width: 4))-\(pad(parts.month))-\(pad(parts.day))",
                "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))")
    }

    /// Device ids are long random strings; eight characters identify one on a page.
    private static func describe(device: String, ip: String) -> String {
        let short = device.count > 8 ? String(device.prefix(8)) + "…" : device
        return ip.isEmpty ? "设备「\(short)」" : "设备「\(short)」（IP \(ip)）"
    }
}

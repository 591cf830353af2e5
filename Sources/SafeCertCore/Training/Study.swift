import Foundation

// Online study (在线学习, seed 003: 学习、抓拍 → 达到学时). Hours count only when the server has
// proof: the open page sends a signed heartbeat every `interval` seconds carrying where the media
// is, and the server credits only the time in which the media position advanced at about 1× on a
// visible page, never more than the wall-clock time since the previous beat and never more, over
// all sessions, than the lesson's real length. The app keeps the rows (sessions, beats, snapshots);
// every decision is made here, from values it passes in, with time passed as `Date`.
//
// The app's loop:
// 1. Learner opens a lesson → `StudySessions.start(…, openSessions:)`; save `closed` and `session`,
//    return `signer.sign(start.firstClaims)` and `policy.interval` to the page.
// 2. Page posts token + `HeartbeatReport` → `signer.verify(token)` (nil when forged), load the
//    session named by the request (or by the claims), the lesson (`StudyMaterial`) and what the person
//    already has for it, `StudyJudge.judge(…)`.
// 3. When `verdict.isVerified`, save `verdict.session` only if the stored `expectedSequence` is
//    still the one judged (`UPDATE … WHERE expected_sequence = old`); otherwise a concurrent request
//    with the same token won the race and this one is a replay. Record the beat (`RecordedBeat`).
// 4. Answer with `signer.sign(verdict.nextClaims)` when present, else the rejection's label, which
//    tells the page to stop (and offer to re-enter the lesson).

/// The numbers behind online study, in one place so a province can be given other ones.
public struct StudyPolicy: Sendable, Hashable, Codable {
    /// Seconds the page waits between beats. 30 s loses at most half a minute of study when a beat
    /// goes missing, and stays far below a request per second per learner on the server.
    public var interval: TimeInterval
    /// How far a beat may come early or late (timer drift, network latency, a busy phone).
    public var tolerance: TimeInterval
    /// A verified token older than this no longer continues its session: the page has been gone
    /// (laptop asleep, phone locked) long enough that the learner must re-enter the lesson, which
    /// also brings a fresh snapshot schedule.
    public var tokenLifetime: TimeInterval
    /// Counting stops when the learner has not touched the page for this long (the idle lock).
    public var idleCutoff: TimeInterval
    /// Study at more than normal speed is not study time (无倍速播放): the rate the player reports.
    public var maximumPlaybackRate: Double
    /// Between two beats of a video that was playing at both, the position must have advanced by
    /// between these times the wall-clock time (about 1×: timer and network jitter, a short stall)…
    public var minimumPositionRatio: Double
    public var maximumPositionRatio: Double
    /// …give or take this many seconds more ahead: network jitter between the two reports and a
    /// player's 5-second arrow-key step, not a drag along the progress bar. Behind, `tolerance`.
    public var seekSlack: TimeInterval
    /// A position moving less than this is standing still (a paused player reports the same time).
    public var stillTolerance: TimeInterval
    /// How far a reported position may pass the probed length (the browser and ffprobe read the
    /// last frame's end a little differently); beyond it the report is impossible.
    public var endTolerance: TimeInterval
    /// Face snapshots (抓拍) are taken at a random moment this many seconds after the previous one,
    /// so a learner cannot know when to be at the screen.
    public var minimumSnapshotDelay: TimeInterval
    public var maximumSnapshotDelay: TimeInterval
    /// Time allowed beyond the longest delay for the camera and the upload.
    public var snapshotGrace: TimeInterval
    /// Silence inside one session longer than this is listed for the regulator.
    public var gapThreshold: TimeInterval
    /// This many beats in a row of a video standing still (or at its end) in one session are listed:
    /// the page stops beating once it has reported a pause or the end, so only a script keeps on.
    public var stalledBeatThreshold: Int
    /// Two devices both earning credit within this window means two people or two pages at once.
    public var deviceWindow: TimeInterval
    /// Rejections that only a tampered page or a script produces are reported from this count…
    public var suspiciousRejectionThreshold: Int
    /// …and the everyday ones (hidden page, idle, late) from this count.
    public var rejectionThreshold: Int

    public init(interval: TimeInterval = 30, tolerance: TimeInterval = 5, tokenLifetime: TimeInterval = 10 * 60,
                idleCutoff: TimeInterval = 180, maximumPlaybackRate: Double = 1.0,
                minimumPositionRatio: Double = 0.8, maximumPositionRatio: Double = 1.25, seekSlack: TimeInterval = 5,
                stillTolerance: TimeInterval = 0.25, endTolerance: TimeInterval = 1,
                minimumSnapshotDelay: TimeInterval = 2 * 60, maximumSnapshotDelay: TimeInterval = 10 * 60,
                snapshotGrace: TimeInterval = 2 * 60, gapThreshold: TimeInterval = 5 * 60, stalledBeatThreshold: Int = 3,
                deviceWindow: TimeInterval = 5 * 60, suspiciousRejectionThreshold: Int = 3, rejectionThreshold: Int = 20) {
        self.interval = interval
        self.tolerance = tolerance
        self.tokenLifetime = tokenLifetime
        self.idleCutoff = idleCutoff
        self.maximumPlaybackRate = maximumPlaybackRate
        self.minimumPositionRatio = minimumPositionRatio
        self.maximumPositionRatio = maximumPositionRatio
        self.seekSlack = seekSlack
        self.stillTolerance = stillTolerance
        self.endTolerance = endTolerance
        self.minimumSnapshotDelay = minimumSnapshotDelay
        self.maximumSnapshotDelay = maximumSnapshotDelay
        self.snapshotGrace = snapshotGrace
        self.gapThreshold = gapThreshold
        self.stalledBeatThreshold = stalledBeatThreshold
        self.deviceWindow = deviceWindow
        self.suspiciousRejectionThreshold = suspiciousRejectionThreshold
        self.rejectionThreshold = rejectionThreshold
    }

    public static let standard = StudyPolicy()

    /// A beat sooner than this after its token was issued is refused (25 s by default).
    public var earliestBeat: TimeInterval { interval - tolerance }
    /// A beat later than this is refused but the session goes on (65 s by default): one missed
    /// beat is forgiven, and the cap on credit means the missing time is not counted anyway.
    public var latestBeat: TimeInterval { interval * 2 + tolerance }
    /// Never more than one interval per beat, so a late beat cannot claim the time it was away.
    public var maximumCreditPerBeat: TimeInterval { interval }
    /// Credited study longer than this without a snapshot is an anomaly (12 minutes by default).
    public var snapshotDeadline: TimeInterval { maximumSnapshotDelay + snapshotGrace }
}

/// What the page says about itself with each beat. The page can lie; the judge refuses the beats
/// whose own report disqualifies them, measures the media position against the server's clock,
/// and the anomaly report looks for lies in the pattern.
public struct HeartbeatReport: Sendable, Hashable, Codable {
    /// `document.visibilityState == "visible"`.
    public var visible: Bool
    /// The player's rate; pages without media report 1.
    public var playbackRate: Double
    /// Seconds into the media (`currentTime`); nil for documents.
    public var position: Double?
    /// The player says it is paused (`paused`), at the end (`ended`), or waiting for data
    /// (`readyState` below HAVE_FUTURE_DATA): at this beat the media is not moving, so a position
    /// that advanced less than the time since the last beat is explained.
    public var paused: Bool
    public var ended: Bool
    public var waiting: Bool
    /// Since the last mouse, key, touch or scroll event on the page.
    public var secondsSinceInteraction: Double
    /// A random id the page keeps in local storage, the same for every tab of one browser.
    public var deviceID: String

    public init(visible: Bool, playbackRate: Double = 1, position: Double? = nil, paused: Bool = false,
                ended: Bool = false, waiting: Bool = false, secondsSinceInteraction: Double, deviceID: String) {
        self.visible = visible
        self.playbackRate = playbackRate
        self.position = position
        self.paused = paused
        self.ended = ended
        self.waiting = waiting
        self.secondsSinceInteraction = secondsSinceInteraction
        self.deviceID = deviceID
    }

    /// The media is not moving at this beat.
    public var isStopped: Bool { paused || ended || waiting }

    /// Numbers a real browser can produce; NaN or a negative idle time comes only from a bug or a forgery.
    var isPlausible: Bool {
        playbackRate.isFinite && playbackRate >= 0
            && secondsSinceInteraction.isFinite && secondsSinceInteraction >= 0
            && (position.map { $0.isFinite && $0 >= 0 } ?? true)
    }
}

/// The lesson a session studies, as the judge needs it.
public struct StudyMaterial: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Video or audio: credit follows the media position.
        case media
        /// A PDF: credit is visible, attended page time.
        case document
    }

    public var kind: Kind
    /// Media: its real length, read from the file when it was uploaded. Document: the reading time
    /// the institution set. Either way the most a person can be credited for the lesson.
    public var duration: TimeInterval

    public init(kind: Kind, duration: TimeInterval) {
        self.kind = kind
        self.duration = duration.isFinite ? max(0, duration) : 0
    }

    public static func media(duration: TimeInterval) -> StudyMaterial { StudyMaterial(kind: .media, duration: duration) }
    public static func document(readingTime: TimeInterval) -> StudyMaterial { StudyMaterial(kind: .document, duration: readingTime) }
}

/// Why a study session takes no more beats.
public enum StudySessionClosure: String, Sendable, Codable, CaseIterable {
    /// The person opened a lesson elsewhere (one active session per person).
    case superseded
    /// No verified beat within the token lifetime.
    case expired
    /// A beat with this session's token came from another device.
    case deviceChanged
    /// The learner left the lesson, or the app closed the session.
    case ended

    public var label: String {
        switch self {
        case .superseded: "已被新的学习页面取代"
        case .expired: "长时间未收到心跳"
        case .deviceChanged: "学习凭证在其他设备上使用"
        case .ended: "已退出学习"
        }
    }
}

/// One study session as the app stores it: one row per opened lesson page.
public struct StudySessionState: Sendable, Hashable, Codable {
    public var sessionID: UUID
    public var personID: UUID
    public var lessonID: UUID
    /// The device that opened the session; beats from any other are refused.
    public var deviceID: String
    public var startedAt: Date
    /// The sequence number the next token must carry; a smaller one is a replay.
    public var expectedSequence: Int
    /// The last verified beat, credited or not.
    public var lastBeatAt: Date?
    /// The last credited beat; credit never reaches back before it, so no second is counted twice.
    public var lastAcceptedAt: Date?
    /// Where the media was at the last verified beat (or where the session started it); nil for documents.
    public var lastPosition: Double?
    /// When `lastPosition` was reported: the position's advance is measured against the time since.
    /// nil in sessions stored before it was kept; `lastBeatAt` or `startedAt` stand in.
    public var lastPositionAt: Date?
    /// Whether the media was moving at that moment (not paused, ended or waiting). When it was, and
    /// is at this beat, it played the whole time between, so the position must have kept pace.
    public var lastMoving: Bool?
    /// Total credited to this session; a lesson's study time is the sum over its sessions.
    public var creditedSeconds: TimeInterval
    /// nil while the session is open.
    public var closure: StudySessionClosure?

    public init(sessionID: UUID, personID: UUID, lessonID: UUID, deviceID: String, startedAt: Date,
                expectedSequence: Int = 0, lastBeatAt: Date? = nil, lastAcceptedAt: Date? = nil,
                lastPosition: Double? = nil, lastPositionAt: Date? = nil, lastMoving: Bool? = nil,
                creditedSeconds: TimeInterval = 0, closure: StudySessionClosure? = nil) {
        self.sessionID = sessionID
        self.personID = personID
        self.lessonID = lessonID
        self.deviceID = deviceID
        self.startedAt = startedAt
        self.expectedSequence = expectedSequence
        self.lastBeatAt = lastBeatAt
        self.lastAcceptedAt = lastAcceptedAt
        self.lastPosition = lastPosition
        self.lastPositionAt = lastPositionAt
        self.lastMoving = lastMoving
        self.creditedSeconds = creditedSeconds
        self.closure = closure
    }

    public var isClosed: Bool { closure != nil }

    /// The claims of the token that lets the page send beat `expectedSequence`.
    public func claims(issuedAt: Date) -> HeartbeatClaims {
        HeartbeatClaims(sessionID: sessionID, personID: personID, lessonID: lessonID,
                        sequence: expectedSequence, issuedAt: issuedAt)
    }
}

/// Why a beat earned nothing. The label is shown to the learner (and in the anomaly report).
public enum HeartbeatRejection: String, Sendable, Codable, CaseIterable {
    /// Not signed by this server: forged, damaged, or signed with another key.
    case invalidToken
    /// A genuine token, but for another session, person or lesson.
    case wrongSession
    case sessionClosed
    /// The person opened a lesson on another page or device since.
    case superseded
    /// A token whose beat was already received.
    case replayed
    /// A token from the future of this session: only the server makes those, so it was tampered with.
    case outOfOrder
    case anotherDevice
    /// Older than the token lifetime; the session is closed.
    case expired
    case tooEarly
    /// Later than the beat window; nothing credited, but the session goes on.
    case tooLate
    case invalidReport
    case hidden
    /// The player reports a rate above 1×.
    case tooFast
    /// The position advanced further than the time since the last beat allows: a seek forward.
    case skippedAhead
    case idle
    /// The media is paused, ended or waiting, and its position stood still.
    case notPlaying
    /// The page says the media is playing, but its position stood still.
    case notAdvancing
    /// The position went back (the learner rewound): the server cannot tell how much was played.
    case wentBack
    /// Playing at both beats, yet the position advanced much less than the time between them.
    case tooSlow
    /// The media was already at its end.
    case afterEnd
    /// A position beyond the lesson's real length, which no player reports.
    case pastEnd
    /// The person has been credited the lesson's whole length already.
    case lessonComplete

    public var label: String {
        switch self {
        case .invalidToken: "学习凭证无效"
        case .wrongSession: "学习凭证与本次学习不符"
        case .sessionClosed: "本次学习已结束，请重新进入课程"
        case .superseded: "已在其他页面或设备学习"
        case .replayed: "学习凭证已使用过"
        case .outOfOrder: "学习凭证顺序异常"
        case .anotherDevice: "学习凭证在其他设备上使用"
        case .expired: "学习凭证已过期，请重新进入课程"
        case .tooEarly: "心跳过于频繁"
        case .tooLate: "心跳超时，本段时间不计学时"
        case .invalidReport: "学习状态数据无效"
        case .hidden: "学习页面不在前台"
        case .tooFast: "播放速度超过 1 倍速"
        case .skippedAhead: "视频被快进"
        case .idle: "长时间无操作"
        case .notPlaying: "视频未在播放"
        case .notAdvancing: "视频进度未前进"
        case .wentBack: "视频进度后退，本段不计学时"
        case .tooSlow: "视频进度慢于正常播放"
        case .afterEnd: "视频已播放完毕"
        case .pastEnd: "播放位置超出视频时长"
        case .lessonComplete: "本课时学时已满"
        }
    }

    /// Rejections an honest browser does not produce: forged or reused tokens, a doctored report.
    /// The others follow from ordinary use (another tab, a coffee break, a weak network, a pause).
    public var isSuspicious: Bool {
        switch self {
        case .invalidToken, .wrongSession, .replayed, .outOfOrder, .anotherDevice, .invalidReport, .tooFast, .skippedAhead,
             .pastEnd:
            true
        case .sessionClosed, .superseded, .expired, .tooEarly, .tooLate, .hidden, .idle, .notPlaying, .notAdvancing,
             .wentBack, .tooSlow, .afterEnd, .lessonComplete:
            false
        }
    }

    /// Refusals read from the media position. The anomaly report looks at them as patterns within a
    /// session (a position standing still, jumping, keeping the wrong pace, beats after the end)
    /// rather than counting them; a pause, a rewind or a finished lesson alone is no anomaly.
    public var isPlayback: Bool {
        switch self {
        case .tooFast, .skippedAhead, .notPlaying, .notAdvancing, .wentBack, .tooSlow, .afterEnd, .pastEnd, .lessonComplete:
            true
        case .invalidToken, .wrongSession, .sessionClosed, .superseded, .replayed, .outOfOrder, .anotherDevice, .expired,
             .tooEarly, .tooLate, .invalidReport, .hidden, .idle:
            false
        }
    }
}

public struct HeartbeatVerdict: Sendable, Hashable {
    /// 0 whenever `rejection` is set.
    public var creditedSeconds: TimeInterval
    public var rejection: HeartbeatRejection?
    /// The session after this beat; equal to the one judged unless `isVerified`.
    public var session: StudySessionState
    /// Sign these and send the token back; nil means the page must stop beating.
    public var nextClaims: HeartbeatClaims?
    /// The token was genuine, current and this session's: its sequence number is now spent.
    public var isVerified: Bool

    public var isAccepted: Bool { rejection == nil }
    public var issuesNextToken: Bool { nextClaims != nil }
}

extension HeartbeatVerdict {
    /// The lesson's credited study after this beat: what counted before, and what this beat earned.
    public func studied(before: TimeInterval) -> TimeInterval { before + (isVerified ? creditedSeconds : 0) }

    /// The beat is answered as a refusal (422): rejected without its token being spent. A verified
    /// beat that earned nothing is answered normally, with its next token.
    public var answersAsRefusal: Bool { !isVerified && rejection != nil }
}

extension HeartbeatReport {
    /// The position as the beat log keeps it: finite and not negative, at most 10⁹ seconds.
    public var loggedPosition: Double? { position.flatMap { $0.isFinite && $0 >= 0 ? min($0, 1e9) : nil } }
}

public enum StudyJudge {
    /// Judges one beat. The first failing check decides; they run in this order:
    ///
    /// 1. Token not verified (`claims == nil`), or for another session, person or lesson, or the
    ///    session is closed, or the sequence is not the expected one: nothing changes and no token
    ///    follows. A forgery therefore cannot disturb a real session, and a replay cannot earn twice.
    /// 2. From here the beat is verified and the expected sequence advances, credited or not, so the
    ///    same token is a replay next time. Another device closes the session; a token older than
    ///    the lifetime expires it. Neither gets a next token.
    /// 3. Everything else earns nothing for this beat only, and the page gets its next token: an
    ///    implausible report (or a media lesson's beat without a position), too early
    ///    (< `earliestBeat` after issue), too late (> `latestBeat`), hidden page, a player rate above
    ///    `maximumPlaybackRate`, idle longer than `idleCutoff`; for media, what the position says
    ///    (`playback`); and a lesson already credited its whole length.
    ///
    /// Credit, to the millisecond (finer would be noise in the clock; rounding down would lose a
    /// millisecond to floating point on every beat), never above `maximumCreditPerBeat` nor what is
    /// left of the lesson's length after `lessonCredited` (the person's credit for the lesson over
    /// all sessions):
    /// - media: the overlap of the wall-clock time and the position's advance since the previous
    ///   position report, when the position moved at about 1× (`playback`);
    /// - document: the time since the later of the token's issue and the last credited beat.
    ///
    /// There is no partial credit for a refused beat: the page reports one instant, so the server
    /// cannot know which part of a hidden, idle or skipped stretch was study. Credited stretches
    /// never overlap, so a session never earns more than its wall time.
    public static func judge(session: StudySessionState, claims: HeartbeatClaims?, report: HeartbeatReport,
                             material: StudyMaterial, lessonCredited: TimeInterval, receivedAt: Date,
                             policy: StudyPolicy = .standard) -> HeartbeatVerdict {
        func unchanged(_ rejection: HeartbeatRejection) -> HeartbeatVerdict {
            HeartbeatVerdict(creditedSeconds: 0, rejection: rejection, session: session, nextClaims: nil, isVerified: false)
        }

        guard let claims else { return unchanged(.invalidToken) }
        guard claims.sessionID == session.sessionID, claims.personID == session.personID, claims.lessonID == session.lessonID
        else { return unchanged(.wrongSession) }
        if let closure = session.closure { return unchanged(closure == .superseded ? .superseded : .sessionClosed) }
        if claims.sequence < session.expectedSequence { return unchanged(.replayed) }
        if claims.sequence > session.expectedSequence { return unchanged(.outOfOrder) }

        var next = session
        next.expectedSequence += 1
        next.lastBeatAt = receivedAt

        func refused(_ rejection: HeartbeatRejection) -> HeartbeatVerdict {
            HeartbeatVerdict(creditedSeconds: 0, rejection: rejection, session: next,
                             nextClaims: next.isClosed ? nil : next.claims(issuedAt: receivedAt), isVerified: true)
        }

        if report.deviceID != session.deviceID {
            next.closure = .deviceChanged
            return refused(.anotherDevice)
        }
        let elapsed = receivedAt.timeIntervalSince(claims.issuedAt)
        if elapsed > policy.tokenLifetime {
            next.closure = .expired
            return refused(.expired)
        }
        guard report.isPlausible, material.kind == .document || report.position != nil else { return refused(.invalidReport) }

        // Where the media was, when, and whether it was moving, before this beat; every verified
        // beat moves the reference, so the next one is measured from here whatever this one earns.
        let previous = Playback(position: min(session.lastPosition ?? 0, material.duration),
                                at: session.lastPositionAt ?? session.lastBeatAt ?? session.startedAt,
                                moving: session.lastMoving ?? false)
        if material.kind == .media, let position = report.position {
            next.lastPosition = min(position, material.duration)
            next.lastPositionAt = receivedAt
            next.lastMoving = !report.isStopped && position < material.duration - policy.stillTolerance
        }

        if elapsed < policy.earliestBeat { return refused(.tooEarly) }
        if elapsed > policy.latestBeat { return refused(.tooLate) }
        if !report.visible { return refused(.hidden) }
        // Players report rates such as 1.0000001 after rounding; a thousandth is no speed-up.
        if report.playbackRate > policy.maximumPlaybackRate + 0.001 { return refused(.tooFast) }
        if report.secondsSinceInteraction > policy.idleCutoff { return refused(.idle) }

        let earned: TimeInterval
        switch material.kind {
        case .document:
            let creditStart = max(claims.issuedAt, session.lastAcceptedAt ?? claims.issuedAt)
            earned = min(receivedAt.timeIntervalSince(creditStart), policy.maximumCreditPerBeat)
        case .media:
            switch playback(since: previous, report: report, receivedAt: receivedAt, material: material, policy: policy) {
            case .refused(let rejection): return refused(rejection)
            case .played(let seconds): earned = seconds
            }
        }

        let left = material.duration - max(0, lessonCredited.isFinite ? lessonCredited : material.duration)
        guard left >= 0.001 else { return refused(.lessonComplete) }
        let credit = min(max(0, (earned * 1000).rounded() / 1000), left)
        next.lastAcceptedAt = receivedAt
        next.creditedSeconds += credit
        return HeartbeatVerdict(creditedSeconds: credit, rejection: nil, session: next,
                                nextClaims: next.claims(issuedAt: receivedAt), isVerified: true)
    }

    /// The media's state at one report.
    struct Playback {
        var position: Double
        var at: Date
        var moving: Bool
    }

    enum PlaybackOutcome: Equatable {
        case played(TimeInterval)
        case refused(HeartbeatRejection)
    }

    /// What the position says about the time since the previous report, in this order:
    /// - beyond the real length (plus `endTolerance`): `pastEnd`, no player reports that;
    /// - standing still (within `stillTolerance`): `afterEnd` when it was already at the end,
    ///   `notPlaying` when the player says it is paused, ended or waiting, else `notAdvancing`;
    /// - gone back: `wentBack` (a rewind; how much was watched after it is unknown);
    /// - ahead by more than `maximumPositionRatio` × the wall time plus `seekSlack`: `skippedAhead`;
    /// - moving at both reports, yet behind `minimumPositionRatio` × the wall time minus `tolerance`:
    ///   `tooSlow`. When the player was stopped at either report (it started, paused or ended in
    ///   between) a shorter advance is what happened, and it is credited.
    /// Otherwise the credit is the overlap: the smaller of the advance and the wall time, so neither
    /// a skip nor a slow clock earns more than really passed on both.
    static func playback(since previous: Playback, report: HeartbeatReport, receivedAt: Date, material: StudyMaterial,
                         policy: StudyPolicy) -> PlaybackOutcome {
        let reported = report.position ?? 0
        if reported > material.duration + policy.endTolerance { return .refused(.pastEnd) }
        let position = min(reported, material.duration)
        let advance = position - previous.position
        let wall = receivedAt.timeIntervalSince(previous.at)
        let end = material.duration - policy.stillTolerance
        if abs(advance) <= policy.stillTolerance {
            if previous.position >= end { return .refused(.afterEnd) }
            return .refused(report.isStopped ? .notPlaying : .notAdvancing)
        }
        if advance < 0 { return .refused(.wentBack) }
        if advance > wall * policy.maximumPositionRatio + policy.seekSlack { return .refused(.skippedAhead) }
        let movingThroughout = previous.moving && !report.isStopped && position < end
        if movingThroughout, advance < wall * policy.minimumPositionRatio - policy.tolerance { return .refused(.tooSlow) }
        return .played(min(advance, wall, policy.maximumCreditPerBeat))
    }
}

// MARK: - One active session per person

public struct StudyStart: Sendable, Hashable {
    /// The new session: insert it.
    public var session: StudySessionState
    /// Sign these for the page's first beat.
    public var firstClaims: HeartbeatClaims
    /// The person's sessions that were open, now closed: save them in the same transaction.
    public var closed: [StudySessionState]
}

public enum StudySessions {
    /// Opens a session and closes every other open session of the person, on any lesson or device.
    ///
    /// The newest page wins rather than the oldest: a learner who closed a tab without the page
    /// saying so, or whose phone died, must not be locked out until the old session expires. The
    /// old page learns it lost at its next beat ("已在其他页面或设备学习") and stops. A session
    /// already silent for longer than the token lifetime is closed as expired instead, so the
    /// record does not suggest two pages were open at once.
    ///
    /// `openSessions` may be all the person's sessions; closed ones and other people's are ignored.
    /// `startPosition` is where the player resumes, so a first beat far beyond it counts as a skip;
    /// one no player reports (negative, NaN, infinite) counts as the start. `startMoving` says the
    /// media is already playing, so the first beat must keep pace from the first second.
    public static func start(sessionID: UUID, personID: UUID, lessonID: UUID, deviceID: String,
                             startPosition: Double? = nil, startMoving: Bool = false, at now: Date,
                             openSessions: [StudySessionState], policy: StudyPolicy = .standard) -> StudyStart {
        let position = startPosition.map { $0.isFinite && $0 >= 0 ? $0 : 0 }
        let session = StudySessionState(sessionID: sessionID, personID: personID, lessonID: lessonID,
                                        deviceID: deviceID, startedAt: now, lastPosition: position,
                                        lastPositionAt: position == nil ? nil : now, lastMoving: position == nil ? nil : startMoving)
        let closed = openSessions
            .filter { $0.personID == personID && $0.sessionID != sessionID && !$0.isClosed }
            .map { old -> StudySessionState in
                var old = old
                let lastSign = old.lastBeatAt ?? old.startedAt
                old.closure = now.timeIntervalSince(lastSign) > policy.tokenLifetime ? .expired : .superseded
                return old
            }
        return StudyStart(session: session, firstClaims: session.claims(issuedAt: now), closed: closed)
    }
}

// MARK: - Snapshots

public enum SnapshotSchedule {
    /// Seconds until the page should take the next face snapshot: uniformly random, in whole
    /// seconds, between the policy's shortest and longest delay (2 to 10 minutes by default).
    /// Pass `SystemRandomNumberGenerator` in production; a seeded generator only in tests.
    public static func nextDelay(using generator: inout some RandomNumberGenerator,
                                 policy: StudyPolicy = .standard) -> TimeInterval {
        let shortest = Int(policy.minimumSnapshotDelay.rounded(.up))
        let longest = max(shortest, Int(policy.maximumSnapshotDelay.rounded(.down)))
        return TimeInterval(Int.random(in: shortest...longest, using: &generator))
    }

    /// Whether study still being credited at `now` has gone too long without a snapshot, counting
    /// from the last snapshot or, before the first, from the start of the session. The longest
    /// delay plus the grace (12 minutes by default) has then passed, so the page skipped one:
    /// the camera was covered or refused, or the beats come from a script.
    public static func isOverdue(since lastSnapshotOrStart: Date, at now: Date, policy: StudyPolicy = .standard) -> Bool {
        now.timeIntervalSince(lastSnapshotOrStart) > policy.snapshotDeadline
    }
}

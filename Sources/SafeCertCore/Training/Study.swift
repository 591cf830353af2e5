import Foundation

// Online study (在线学习, seed 003: 学习、抓拍 → 达到学时). Hours count only when the server has
// proof: the open page sends a signed heartbeat every `interval` seconds, the server judges each one
// and credits at most the time since the previous one. The app keeps the rows (sessions, beats,
// snapshots); every decision is made here, from values it passes in, with time passed as `Date`.
//
// The app's loop:
// 1. Learner opens a lesson → `StudySessions.start(…, openSessions:)`; save `closed` and `session`,
//    return `signer.sign(start.firstClaims)` and `policy.interval` to the page.
// 2. Page posts token + `HeartbeatReport` → `signer.verify(token)` (nil when forged), load the
//    session named by the request (or by the claims), `StudyJudge.judge(…)`.
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
    /// Study at more than normal speed is not study time (无倍速播放).
    public var maximumPlaybackRate: Double
    /// Seconds a video may advance beyond the wall-clock time between two beats before the beat
    /// counts as a skip: covers network jitter between the two reports and a player's 5-second
    /// arrow-key step, not a drag along the progress bar.
    public var seekSlack: TimeInterval
    /// Face snapshots (抓拍) are taken at a random moment this many seconds after the previous one,
    /// so a learner cannot know when to be at the screen.
    public var minimumSnapshotDelay: TimeInterval
    public var maximumSnapshotDelay: TimeInterval
    /// Time allowed beyond the longest delay for the camera and the upload.
    public var snapshotGrace: TimeInterval
    /// Silence inside one session longer than this is listed for the regulator.
    public var gapThreshold: TimeInterval
    /// Timing regularity is judged over this many consecutive intervals…
    public var regularityIntervals: Int
    /// …and is suspicious when their standard deviation is below this. A browser's timer, its event
    /// loop and the network add tens of milliseconds of jitter; a script on a server does not.
    public var regularityDeviation: TimeInterval
    /// Two devices both earning credit within this window means two people or two pages at once.
    public var deviceWindow: TimeInterval
    /// Rejections that only a tampered page or a script produces are reported from this count…
    public var suspiciousRejectionThreshold: Int
    /// …and the everyday ones (hidden page, idle, late) from this count.
    public var rejectionThreshold: Int

    public init(interval: TimeInterval = 30, tolerance: TimeInterval = 5, tokenLifetime: TimeInterval = 10 * 60,
                idleCutoff: TimeInterval = 180, maximumPlaybackRate: Double = 1.0, seekSlack: TimeInterval = 5,
                minimumSnapshotDelay: TimeInterval = 2 * 60, maximumSnapshotDelay: TimeInterval = 10 * 60,
                snapshotGrace: TimeInterval = 2 * 60, gapThreshold: TimeInterval = 5 * 60,
                regularityIntervals: Int = 10, regularityDeviation: TimeInterval = 0.015,
                deviceWindow: TimeInterval = 5 * 60, suspiciousRejectionThreshold: Int = 3, rejectionThreshold: Int = 20) {
        self.interval = interval
        self.tolerance = tolerance
        self.tokenLifetime = tokenLifetime
        self.idleCutoff = idleCutoff
        self.maximumPlaybackRate = maximumPlaybackRate
        self.seekSlack = seekSlack
        self.minimumSnapshotDelay = minimumSnapshotDelay
        self.maximumSnapshotDelay = maximumSnapshotDelay
        self.snapshotGrace = snapshotGrace
        self.gapThreshold = gapThreshold
        self.regularityIntervals = regularityIntervals
        self.regularityDeviation = regularityDeviation
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
/// whose own report disqualifies them, and the anomaly report looks for lies in the pattern.
public struct HeartbeatReport: Sendable, Hashable, Codable {
    /// `document.visibilityState == "visible"`.
    public var visible: Bool
    /// The player's rate; pages without media report 1.
    public var playbackRate: Double
    /// Seconds into the video; nil for documents.
    public var position: Double?
    /// Since the last mouse, key, touch or scroll event on the page.
    public var secondsSinceInteraction: Double
    /// A random id the page keeps in local storage, the same for every tab of one browser.
    public var deviceID: String

    public init(visible: Bool, playbackRate: Double = 1, position: Double? = nil,
                secondsSinceInteraction: Double, deviceID: String) {
        self.visible = visible
        self.playbackRate = playbackRate
        self.position = position
        self.secondsSinceInteraction = secondsSinceInteraction
        self.deviceID = deviceID
    }

    /// Numbers a real browser can produce; NaN or a negative idle time comes only from a bug or a forgery.
    var isPlausible: Bool {
        playbackRate.isFinite && playbackRate >= 0
            && secondsSinceInteraction.isFinite && secondsSinceInteraction >= 0
            && (position.map { $0.isFinite && $0 >= 0 } ?? true)
    }
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
    /// Where the video was at the last verified beat (or where the session started it); nil for documents.
    public var lastPosition: Double?
    /// Total credited to this session; a lesson's study time is the sum over its sessions.
    public var creditedSeconds: TimeInterval
    /// nil while the session is open.
    public var closure: StudySessionClosure?

    public init(sessionID: UUID, personID: UUID, lessonID: UUID, deviceID: String, startedAt: Date,
                expectedSequence: Int = 0, lastBeatAt: Date? = nil, lastAcceptedAt: Date? = nil,
                lastPosition: Double? = nil, creditedSeconds: TimeInterval = 0, closure: StudySessionClosure? = nil) {
        self.sessionID = sessionID
        self.personID = personID
        self.lessonID = lessonID
        self.deviceID = deviceID
        self.startedAt = startedAt
        self.expectedSequence = expectedSequence
        self.lastBeatAt = lastBeatAt
        self.lastAcceptedAt = lastAcceptedAt
        self.lastPosition = lastPosition
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
    case tooFast
    case skippedAhead
    case idle

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
        }
    }

    /// Rejections an honest browser does not produce: forged or reused tokens, a doctored report.
    /// The others follow from ordinary use (another tab, a coffee break, a weak network).
    public var isSuspicious: Bool {
        switch self {
        case .invalidToken, .wrongSession, .replayed, .outOfOrder, .anotherDevice, .invalidReport, .tooFast, .skippedAhead:
            true
        case .sessionClosed, .superseded, .expired, .tooEarly, .tooLate, .hidden, .idle:
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
    ///    implausible report, too early (< `earliestBeat` after issue), too late (> `latestBeat`),
    ///    hidden page, playback above `maximumPlaybackRate`, the video advanced more than the time
    ///    allowed plus `seekSlack`, idle longer than `idleCutoff`.
    ///
    /// Credit for an accepted beat is the time since the later of the token's issue and the last
    /// credited beat, capped at `maximumCreditPerBeat`, to the millisecond (finer would be noise in
    /// the clock; rounding down would lose a millisecond to floating point on every beat). There is
    /// no partial credit for a refused beat: the page reports one instant, so the server cannot
    /// know which part of a hidden or idle stretch was study. Idle loses at most one interval past
    /// the cutoff; credited stretches never overlap, so a session never earns more than its wall time.
    public static func judge(session: StudySessionState, claims: HeartbeatClaims?, report: HeartbeatReport,
                             receivedAt: Date, policy: StudyPolicy = .standard) -> HeartbeatVerdict {
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
        guard report.isPlausible else { return refused(.invalidReport) }
        if let position = report.position { next.lastPosition = position }

        if elapsed < policy.earliestBeat { return refused(.tooEarly) }
        if elapsed > policy.latestBeat { return refused(.tooLate) }
        if !report.visible { return refused(.hidden) }
        // Players report rates such as 1.0000001 after rounding; a thousandth is no speed-up.
        if report.playbackRate > policy.maximumPlaybackRate + 0.001 { return refused(.tooFast) }
        if let position = report.position, let previous = session.lastPosition,
           position - previous > elapsed * policy.maximumPlaybackRate + policy.seekSlack {
            return refused(.skippedAhead)
        }
        if report.secondsSinceInteraction > policy.idleCutoff { return refused(.idle) }

        let creditStart = max(claims.issuedAt, session.lastAcceptedAt ?? claims.issuedAt)
        let span = min(receivedAt.timeIntervalSince(creditStart), policy.maximumCreditPerBeat)
        let credit = max(0, (span * 1000).rounded() / 1000)
        next.lastAcceptedAt = receivedAt
        next.creditedSeconds += credit
        return HeartbeatVerdict(creditedSeconds: credit, rejection: nil, session: next,
                                nextClaims: next.claims(issuedAt: receivedAt), isVerified: true)
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
    /// `startPosition` is where the player resumes, so a first beat far beyond it counts as a skip.
    public static func start(sessionID: UUID, personID: UUID, lessonID: UUID, deviceID: String,
                             startPosition: Double? = nil, at now: Date, openSessions: [StudySessionState],
                             policy: StudyPolicy = .standard) -> StudyStart {
        let session = StudySessionState(sessionID: sessionID, personID: personID, lessonID: lessonID,
                                        deviceID: deviceID, startedAt: now, lastPosition: startPosition)
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

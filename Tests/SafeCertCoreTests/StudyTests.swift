import Foundation
import Testing
@testable import SafeCertCore

/// 2026-11-23 09:00:00 Beijing time.
private let nine = Date(timeIntervalSince1970: 1_795_395_600)
private let policy = StudyPolicy.standard
private let person = UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!
private let lesson = UUID(uuidString: "00000000-0000-0000-0000-0000000000B1")!
private let sessionID = UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")!
private let signer = HeartbeatSigner(key: Data((0..<32).map { UInt8($0) }))

private func at(_ seconds: TimeInterval) -> Date { nine.addingTimeInterval(seconds) }

/// A PDF with three hours' reading time, and an hour-long video.
private let document = StudyMaterial.document(readingTime: 3 * 3600)
private let video = StudyMaterial.media(duration: 3600)

/// A session opened at nine on "device-A": a document's without a position, a video's at
/// `position`, playing or not.
private func openSession(position: Double? = nil, moving: Bool = false) -> StudySessionState {
    StudySessions.start(sessionID: sessionID, personID: person, lessonID: lesson, deviceID: "device-A",
                        startPosition: position, startMoving: moving, at: nine, openSessions: []).session
}

private func report(visible: Bool = true, rate: Double = 1, position: Double? = nil, paused: Bool = false,
                    ended: Bool = false, waiting: Bool = false, idle: Double = 5, device: String = "device-A") -> HeartbeatReport {
    HeartbeatReport(visible: visible, playbackRate: rate, position: position, paused: paused, ended: ended, waiting: waiting,
                    secondsSinceInteraction: idle, deviceID: device)
}

/// The first beat, `seconds` after the session opened (a document's unless told otherwise).
private func firstBeat(after seconds: TimeInterval, _ report: HeartbeatReport = report(),
                       session: StudySessionState = openSession(), material: StudyMaterial = document,
                       credited: TimeInterval = 0) -> HeartbeatVerdict {
    StudyJudge.judge(session: session, claims: session.claims(issuedAt: session.startedAt), report: report,
                     material: material, lessonCredited: credited, receivedAt: session.startedAt.addingTimeInterval(seconds),
                     policy: policy)
}

/// Beats one after another, each with the token the previous one earned, from a session opened at
/// nine with the media at `start` (playing when `moving`). Each step is (seconds since nine, report).
private func play(_ material: StudyMaterial, from start: Double? = 0, moving: Bool = false, credited: TimeInterval = 0,
                  _ steps: [(TimeInterval, HeartbeatReport)]) -> [HeartbeatVerdict] {
    var session = openSession(position: start, moving: moving)
    var claims: HeartbeatClaims? = session.claims(issuedAt: nine)
    var total = credited
    var verdicts: [HeartbeatVerdict] = []
    for (seconds, report) in steps {
        let verdict = StudyJudge.judge(session: session, claims: claims, report: report, material: material,
                                       lessonCredited: total, receivedAt: at(seconds), policy: policy)
        verdicts.append(verdict)
        session = verdict.session
        claims = verdict.nextClaims ?? claims
        total += verdict.creditedSeconds
    }
    return verdicts
}

// MARK: - Tokens

@Suite("学习心跳凭证")
struct StudyTokenTests {
    let claims = HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson, sequence: 42, issuedAt: at(0.75))

    @Test func aSignedTokenVerifiesToItsClaims() {
        let token = signer.sign(claims)
        #expect(signer.verify(token) == claims)
        #expect(claims.issuedAt == nine, "kept to whole seconds, rounded down")
        #expect(token.split(separator: ".").count == 2)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
    }

    @Test func largeSequencesAndOldDatesSurvive() {
        let extreme = HeartbeatClaims(sessionID: UUID(), personID: UUID(), lessonID: UUID(), sequence: Int(Int32.max) * 4,
                                      issuedAt: Date(timeIntervalSince1970: -86_400))
        #expect(signer.verify(signer.sign(extreme)) == extreme)
    }

    @Test func everyChangedCharacterIsRefused() {
        let token = Array(signer.sign(claims))
        for index in token.indices where token[index] != "." {
            var tampered = token
            tampered[index] = tampered[index] == "A" ? "B" : "A"
            #expect(signer.verify(String(tampered)) == nil, "character \(index)")
        }
    }

    @Test func claimsFromOneTokenWithTheMACOfAnotherAreRefused() {
        let mine = signer.sign(claims).split(separator: ".")
        let later = HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson, sequence: 43, issuedAt: at(30))
        let theirs = signer.sign(later).split(separator: ".")
        #expect(signer.verify("\(theirs[0]).\(mine[1])") == nil)
        #expect(signer.verify("\(mine[0]).\(theirs[1])") == nil)
    }

    @Test func aTokenFromAnotherKeyIsRefused() {
        let other = HeartbeatSigner(key: Data((0..<32).map { UInt8(255 - $0) }))
        #expect(other.verify(signer.sign(claims)) == nil)
        #expect(signer.verify(other.sign(claims)) == nil)
    }

    @Test func malformedTokensAreRefused() {
        let token = signer.sign(claims)
        let parts = token.split(separator: ".")
        for bad in ["", ".", "abc", "\(parts[0])", "\(parts[0]).", ".\(parts[1])", token + ".x", token + "=",
                    " " + token, token + "\n", "\(parts[0])=.\(parts[1])", "\(parts[0].dropLast(4)).\(parts[1])",
                    "\(parts[0]).\(parts[1].dropLast())", token.replacingOccurrences(of: "-", with: "+")
                        .replacingOccurrences(of: "_", with: "/")] where bad != token {
            #expect(signer.verify(bad) == nil, "\(bad)")
        }
    }

    @Test func aNegativeSequenceNeverVerifies() {
        let negative = HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson, sequence: -1, issuedAt: nine)
        #expect(signer.verify(signer.sign(negative)) == nil)
    }

    @Test func theKeyStaysOutOfLogs() {
        #expect(!"\(signer)".contains("0001"))
        #expect("\(signer)" == "HeartbeatSigner(key: <hidden>)")
        var generator = SplitMix64(seed: 7)
        let first = HeartbeatSigner.generateKey(using: &generator), second = HeartbeatSigner.generateKey(using: &generator)
        #expect(first.count == 32 && second.count == 32 && first != second)
    }
}

// MARK: - Judging beats

@Suite("学习心跳判定")
struct StudyJudgeTests {
    @Test func anOrdinaryBeatEarnsTheTimeSinceTheToken() {
        let verdict = firstBeat(after: 30.4)
        #expect(verdict.rejection == nil && verdict.isAccepted && verdict.isVerified)
        #expect(verdict.creditedSeconds == 30, "capped at the interval")
        #expect(verdict.session.expectedSequence == 1)
        #expect(verdict.session.lastAcceptedAt == at(30.4) && verdict.session.lastBeatAt == at(30.4))
        #expect(verdict.session.creditedSeconds == 30)
        #expect(verdict.nextClaims == HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson,
                                                      sequence: 1, issuedAt: at(30)))
        #expect(firstBeat(after: 27.25).creditedSeconds == 27.25)
    }

    @Test func anHourOfHonestStudyEarnsNearlyAnHourAndNeverMore() throws {
        var generator = SplitMix64(seed: 2026)
        var session = openSession(position: 0, moving: true)
        var token = signer.sign(session.claims(issuedAt: nine))
        var now = nine, position = 0.0
        let lecture = StudyMaterial.media(duration: 2 * 3600)
        for _ in 0..<120 {
            let step = 30 + Double.random(in: 0.05...1.5, using: &generator)
            now = now.addingTimeInterval(step)
            // The player's clock and the server's differ by the network's jitter.
            position += step + Double.random(in: -0.2...0.2, using: &generator)
            let verdict = StudyJudge.judge(session: session, claims: signer.verify(token),
                                           report: report(position: position, idle: .random(in: 0...170, using: &generator)),
                                           material: lecture, lessonCredited: session.creditedSeconds, receivedAt: now, policy: policy)
            #expect(verdict.rejection == nil)
            #expect(verdict.creditedSeconds <= policy.maximumCreditPerBeat)
            session = verdict.session
            token = signer.sign(try #require(verdict.nextClaims))
        }
        let wallTime = now.timeIntervalSince(nine)
        #expect(session.creditedSeconds <= wallTime)
        #expect(session.creditedSeconds >= 0.95 * wallTime)
        #expect(session.creditedSeconds <= 120 * 30, "never more than the interval a beat")
        #expect(session.creditedSeconds >= 120 * 30 - 120 * 0.2, "each beat earned the cap, less the player's jitter at most")
    }

    @Test func aForgedTokenChangesNothing() {
        let session = openSession()
        let verdict = StudyJudge.judge(session: session, claims: signer.verify("forged.token"), report: report(),
                                       material: document, lessonCredited: 0, receivedAt: at(30), policy: policy)
        #expect(verdict.rejection == .invalidToken)
        #expect(verdict.rejection?.label == "学习凭证无效")
        #expect(verdict.session == session && !verdict.isVerified && verdict.nextClaims == nil && verdict.creditedSeconds == 0)
    }

    @Test func aTokenOfAnotherSessionPersonOrLessonIsRefused() {
        let session = openSession()
        let wrong = [
            HeartbeatClaims(sessionID: UUID(), personID: person, lessonID: lesson, sequence: 0, issuedAt: nine),
            HeartbeatClaims(sessionID: sessionID, personID: UUID(), lessonID: lesson, sequence: 0, issuedAt: nine),
            HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: UUID(), sequence: 0, issuedAt: nine),
        ]
        for claims in wrong {
            let verdict = StudyJudge.judge(session: session, claims: claims, report: report(),
                                           material: document, lessonCredited: 0, receivedAt: at(30), policy: policy)
            #expect(verdict.rejection == .wrongSession)
            #expect(verdict.session == session && verdict.nextClaims == nil)
        }
    }

    @Test func aReplayedTokenIsRefusedAndEarnsNothing() {
        let session = openSession()
        let claims = session.claims(issuedAt: nine)
        let first = StudyJudge.judge(session: session, claims: claims, report: report(),
                                     material: document, lessonCredited: 0, receivedAt: at(30), policy: policy)
        #expect(first.creditedSeconds == 30)
        let replay = StudyJudge.judge(session: first.session, claims: claims, report: report(),
                                      material: document, lessonCredited: 0, receivedAt: at(60), policy: policy)
        #expect(replay.rejection == .replayed)
        #expect(replay.creditedSeconds == 0 && replay.session == first.session && replay.nextClaims == nil)
    }

    @Test func aTokenFromTheFutureOfTheSessionIsRefused() {
        let session = openSession()
        let skipped = HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson, sequence: 1, issuedAt: nine)
        let verdict = StudyJudge.judge(session: session, claims: skipped, report: report(),
                                       material: document, lessonCredited: 0, receivedAt: at(30), policy: policy)
        #expect(verdict.rejection == .outOfOrder)
        #expect(verdict.session == session && verdict.nextClaims == nil)
    }

    @Test func aBeatBeforeTheWindowEarnsNothingButTheSessionGoesOn() {
        let early = firstBeat(after: 24.9)
        #expect(early.rejection == .tooEarly && early.creditedSeconds == 0)
        #expect(early.session.expectedSequence == 1 && early.nextClaims?.sequence == 1, "spent, so it cannot be sent again on time")
        #expect(early.session.lastAcceptedAt == nil && early.session.creditedSeconds == 0)
        #expect(firstBeat(after: 25).creditedSeconds == 25, "the window opens at interval − tolerance")
    }

    @Test func aBeatAfterTheWindowEarnsNothingButTheSessionGoesOn() {
        let late = firstBeat(after: 65.5)
        #expect(late.rejection == .tooLate && late.creditedSeconds == 0)
        #expect(late.nextClaims?.sequence == 1 && !late.session.isClosed)
        #expect(firstBeat(after: 65).creditedSeconds == 30, "one missed beat is forgiven, its time is not")
    }

    @Test func aTokenPastItsLifetimeClosesTheSession() {
        #expect(firstBeat(after: 600).rejection == .tooLate)
        let expired = firstBeat(after: 601)
        #expect(expired.rejection == .expired && expired.nextClaims == nil)
        #expect(expired.session.closure == .expired && expired.isVerified)
        let after = StudyJudge.judge(session: expired.session, claims: expired.session.claims(issuedAt: at(601)),
                                     report: report(), material: document, lessonCredited: 0, receivedAt: at(631), policy: policy)
        #expect(after.rejection == .sessionClosed)
        #expect(after.rejection?.label == "本次学习已结束，请重新进入课程")
    }

    @Test func aHiddenPageEarnsNothingAndTheNextBeatDoesNotReachBackOverIt() {
        let hidden = firstBeat(after: 30, report(visible: false))
        #expect(hidden.rejection == .hidden && hidden.creditedSeconds == 0 && hidden.nextClaims != nil)
        let back = StudyJudge.judge(session: hidden.session, claims: hidden.nextClaims, report: report(),
                                    material: document, lessonCredited: 0, receivedAt: at(59), policy: policy)
        #expect(back.creditedSeconds == 29, "only the time since the hidden beat, not since the last credit")
    }

    @Test func playbackFasterThanNormalEarnsNothing() {
        let playing = openSession(position: 0, moving: true)
        #expect(firstBeat(after: 30, report(rate: 1.5, position: 45), session: playing, material: video).rejection == .tooFast)
        #expect(firstBeat(after: 30, report(rate: 1.25, position: 37), session: playing, material: video).rejection?.label
            == "播放速度超过 1 倍速")
        #expect(firstBeat(after: 30, report(rate: 1.0005, position: 30), session: playing, material: video).creditedSeconds == 30,
                "rounding in the player")
        #expect(firstBeat(after: 30, report(rate: 1.25), material: document).rejection == .tooFast, "a document's page too")
    }

    @Test func anIdleLearnerEarnsNothing() {
        #expect(firstBeat(after: 30, report(idle: 180)).isAccepted)
        let idle = firstBeat(after: 30, report(idle: 180.5))
        #expect(idle.rejection == .idle && idle.creditedSeconds == 0 && idle.nextClaims != nil)
        #expect(idle.rejection?.label == "长时间无操作")
    }

    @Test func aSupersededSessionIsToldWhy() {
        var session = openSession()
        session.closure = .superseded
        let verdict = firstBeat(after: 30, session: session)
        #expect(verdict.rejection == .superseded)
        #expect(verdict.rejection?.label == "已在其他页面或设备学习")
        #expect(verdict.session == session && verdict.nextClaims == nil && !verdict.isVerified)
        session.closure = .ended
        #expect(firstBeat(after: 30, session: session).rejection == .sessionClosed)
    }

    @Test func aTokenUsedOnAnotherDeviceClosesTheSession() {
        let verdict = firstBeat(after: 30, report(device: "device-B"))
        #expect(verdict.rejection == .anotherDevice && verdict.nextClaims == nil)
        #expect(verdict.session.closure == .deviceChanged && verdict.session.expectedSequence == 1)
    }

    @Test func impossibleReportsEarnNothing() {
        for bad in [report(rate: .nan, position: 30), report(rate: -1, position: 30), report(position: -3), report(position: .infinity),
                    report(position: .nan), report(position: 30, idle: -60), report(position: 30, idle: .nan),
                    report(position: nil)] {
            let verdict = firstBeat(after: 30, bad, session: openSession(position: 0, moving: true), material: video)
            #expect(verdict.rejection == .invalidReport, "\(bad)")
            #expect(verdict.nextClaims != nil && verdict.session.lastPosition == 0 && verdict.creditedSeconds == 0)
        }
        #expect(firstBeat(after: 30, report(position: nil), material: document).isAccepted, "documents have no position")
    }

    @Test func creditNeverExceedsTheIntervalNorTheTimeSinceTheLastCredit() {
        var generator = SplitMix64(seed: 45)
        for _ in 0..<500 {
            var session = openSession()
            let lastCredit = Double.random(in: -40...0.99, using: &generator)
            session.lastAcceptedAt = lastCredit < -30 ? nil : at(lastCredit)
            let elapsed = Double.random(in: 20...70, using: &generator)
            let verdict = firstBeat(after: elapsed, session: session)
            #expect(verdict.creditedSeconds <= policy.interval)
            #expect(verdict.creditedSeconds <= elapsed - max(0, lastCredit) + 0.000_5, "to the millisecond")
            #expect(verdict.isAccepted == (25...65).contains(elapsed))
        }
        var session = openSession()
        session.lastAcceptedAt = at(0.8) // the token's time is rounded down; the credit is not
        #expect(firstBeat(after: 27, session: session).creditedSeconds == 26.2)
    }

    @Test func suspiciousRejectionsAreTheOnesAnHonestPageNeverCauses() {
        let suspicious = HeartbeatRejection.allCases.filter(\.isSuspicious)
        #expect(Set(suspicious) == [.invalidToken, .wrongSession, .replayed, .outOfOrder, .anotherDevice, .invalidReport,
                                    .tooFast, .skippedAhead, .pastEnd])
        #expect(Set(HeartbeatRejection.allCases.map(\.label)).count == HeartbeatRejection.allCases.count)
    }
}

// MARK: - Judging the media position

/// The video from the issue: 62 seconds long.
private let clip = StudyMaterial.media(duration: 62)

@Suite("学习心跳判定：播放位置")
struct StudyPlaybackTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        let name: String
        var material = clip
        var start: Double = 0
        var moving = true
        var credited: TimeInterval = 0
        let steps: [(TimeInterval, HeartbeatReport)]
        let credits: [TimeInterval]
        let rejections: [HeartbeatRejection?]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "played through: its length, the last part as far as the end",
                 steps: [(30, report(position: 30)), (60, report(position: 60)), (90, report(position: 62, paused: true, ended: true))],
                 credits: [30, 30, 2], rejections: [nil, nil, nil]),
        Scenario(name: "paused: nothing", start: 10, moving: false,
                 steps: [(30, report(position: 10, paused: true)), (60, report(position: 10, paused: true))],
                 credits: [0, 0], rejections: [.notPlaying, .notPlaying]),
        Scenario(name: "paused, the page claiming it plays: nothing", start: 10,
                 steps: [(30, report(position: 10)), (60, report(position: 10))],
                 credits: [0, 0], rejections: [.notAdvancing, .notAdvancing]),
        Scenario(name: "never started: nothing", moving: false,
                 steps: [(30, report(position: 0, paused: true)), (60, report(position: 0))],
                 credits: [0, 0], rejections: [.notPlaying, .notAdvancing]),
        Scenario(name: "after the end (62 → 71 s): nothing", start: 62, moving: false,
                 steps: [(30, report(position: 62, paused: true, ended: true)), (60, report(position: 62)), (90, report(position: 71))],
                 credits: [0, 0, 0], rejections: [.afterEnd, .afterEnd, .pastEnd]),
        Scenario(name: "seeking ahead: nothing for the skip, the time after it counts", material: video,
                 steps: [(30, report(position: 300)), (60, report(position: 330))],
                 credits: [0, 30], rejections: [.skippedAhead, nil]),
        Scenario(name: "2× playback, reported or not: nothing", material: video,
                 steps: [(30, report(rate: 2, position: 60)), (60, report(position: 120))],
                 credits: [0, 0], rejections: [.tooFast, .skippedAhead]),
        Scenario(name: "1.2× behind a page saying 1×: the wall time only", material: video,
                 steps: [(30, report(position: 36)), (60, report(position: 72))],
                 credits: [30, 30], rejections: [nil, nil]),
        Scenario(name: "hidden tab: nothing, and the next beat counts from it", material: video,
                 steps: [(30, report(visible: false, position: 30)), (60, report(position: 60))],
                 credits: [0, 30], rejections: [.hidden, nil]),
        Scenario(name: "position going backwards: nothing for that beat", material: video,
                 steps: [(30, report(position: 30)), (60, report(position: 10)), (90, report(position: 40))],
                 credits: [30, 0, 30], rejections: [nil, .wentBack, nil]),
        Scenario(name: "far behind the clock while playing throughout: nothing", material: video,
                 steps: [(30, report(position: 5)), (60, report(position: 30, waiting: true))],
                 credits: [0, 25], rejections: [.tooSlow, nil]),
        Scenario(name: "started between two beats: the part played", moving: false,
                 steps: [(30, report(position: 20))], credits: [20], rejections: [nil]),
        Scenario(name: "a short stall is jitter", material: video,
                 steps: [(30, report(position: 22)), (60.4, report(position: 52))], credits: [22, 30], rejections: [nil, nil]),
        Scenario(name: "never more than the lesson's length over all sessions", credited: 50,
                 steps: [(30, report(position: 30)), (60, report(position: 60))],
                 credits: [12, 0], rejections: [nil, .lessonComplete]),
        Scenario(name: "watching again after the whole length: nothing", credited: 62,
                 steps: [(30, report(position: 30))], credits: [0], rejections: [.lessonComplete]),
    ]

    @Test(arguments: scenarios)
    func creditFollowsThePosition(_ scenario: Scenario) {
        let verdicts = play(scenario.material, from: scenario.start, moving: scenario.moving, credited: scenario.credited,
                            scenario.steps)
        #expect(verdicts.map(\.creditedSeconds) == scenario.credits)
        #expect(verdicts.map(\.rejection) == scenario.rejections)
        #expect(verdicts.allSatisfy { $0.isVerified && $0.nextClaims != nil }, "a refused beat still gets its next token")
    }

    @Test func replayingTheSameBeatEarnsNothing() {
        let session = openSession(position: 0, moving: true)
        let claims = session.claims(issuedAt: nine)
        let first = StudyJudge.judge(session: session, claims: claims, report: report(position: 30), material: clip,
                                     lessonCredited: 0, receivedAt: at(30), policy: policy)
        #expect(first.creditedSeconds == 30)
        let again = StudyJudge.judge(session: first.session, claims: claims, report: report(position: 60), material: clip,
                                     lessonCredited: 30, receivedAt: at(60), policy: policy)
        #expect(again.rejection == .replayed && again.creditedSeconds == 0 && again.session == first.session)
    }

    @Test func theNextBeatIsMeasuredFromTheLastReportedPosition() {
        let verdicts = play(video, [(20, report(position: 20)), (50, report(position: 50))])
        #expect(verdicts[0].rejection == .tooEarly, "20 s after the token")
        #expect(verdicts[1].creditedSeconds == 30, "from the early beat's position and time, not from the start")
        #expect(verdicts[1].session.lastPosition == 50 && verdicts[1].session.lastPositionAt == at(50))
        #expect(verdicts[1].session.lastMoving == true)
        let ended = play(clip, [(30, report(position: 62.4, ended: true))])
        #expect(ended[0].session.lastPosition == 62, "a position a little past the probed end counts as the end")
        #expect(ended[0].session.lastMoving == false)
    }

    @Test func aSessionStoredBeforePositionsWereTimedStillJudges() throws {
        // Sessions saved before `lastPositionAt` and `lastMoving` existed decode with both nil.
        let old = #"{"sessionID":"\#(sessionID)","personID":"\#(person)","lessonID":"\#(lesson)","deviceID":"device-A","#
            + #""startedAt":\#(nine.timeIntervalSinceReferenceDate),"expectedSequence":0,"lastPosition":0,"creditedSeconds":0}"#
        let session = try JSONDecoder().decode(StudySessionState.self, from: Data(old.utf8))
        #expect(session.lastPositionAt == nil && session.lastMoving == nil)
        let verdict = firstBeat(after: 30, report(position: 30), session: session, material: clip)
        #expect(verdict.creditedSeconds == 30)
    }

    @Test func noSequenceOfReportsEarnsMoreThanTheWallTimeOrTheLength() {
        var generator = SplitMix64(seed: 62)
        for round in 0..<300 {
            var steps: [(TimeInterval, HeartbeatReport)] = []
            var now = 0.0
            for _ in 0..<12 {
                now += Double.random(in: 20...70, using: &generator)
                let position = Double.random(in: 0...1, using: &generator) < 0.1 ? Double.random(in: -5...90, using: &generator)
                    : Double.random(in: 0...64, using: &generator)
                steps.append((now, report(rate: [0.5, 1, 1, 1, 2].randomElement(using: &generator) ?? 1, position: position,
                                          paused: Bool.random(using: &generator), ended: Bool.random(using: &generator))))
            }
            let verdicts = play(clip, from: Double.random(in: 0...62, using: &generator), moving: Bool.random(using: &generator), steps)
            let total = verdicts.map(\.creditedSeconds).reduce(0, +)
            #expect(total <= 62 + 0.000_5, "round \(round)")
            #expect(total <= now + 0.000_5, "round \(round)")
            #expect(verdicts.allSatisfy { $0.creditedSeconds >= 0 && $0.creditedSeconds <= policy.maximumCreditPerBeat })
        }
    }
}

// MARK: - One session per person

@Suite("学习会话")
struct StudySessionsTests {
    @Test func openingALessonClosesThePersonsOtherOpenSessions() {
        let live = StudySessionState(sessionID: UUID(), personID: person, lessonID: UUID(), deviceID: "phone",
                                     startedAt: at(-3600), expectedSequence: 40, lastBeatAt: at(-20))
        let silent = StudySessionState(sessionID: UUID(), personID: person, lessonID: lesson, deviceID: "device-A",
                                       startedAt: at(-7200), expectedSequence: 3, lastBeatAt: at(-601))
        let neverBeat = StudySessionState(sessionID: UUID(), personID: person, lessonID: lesson, deviceID: "device-A",
                                          startedAt: at(-300))
        var ended = live
        ended.sessionID = UUID()
        ended.closure = .ended
        let someoneElse = StudySessionState(sessionID: UUID(), personID: UUID(), lessonID: lesson, deviceID: "x", startedAt: at(-10))

        let start = StudySessions.start(sessionID: sessionID, personID: person, lessonID: lesson, deviceID: "device-A",
                                        startPosition: 120, at: nine, openSessions: [live, silent, neverBeat, ended, someoneElse])
        #expect(start.closed.map(\.sessionID) == [live.sessionID, silent.sessionID, neverBeat.sessionID])
        #expect(start.closed.map(\.closure) == [.superseded, .expired, .superseded])
        #expect(start.session == StudySessionState(sessionID: sessionID, personID: person, lessonID: lesson,
                                                   deviceID: "device-A", startedAt: nine, lastPosition: 120,
                                                   lastPositionAt: nine, lastMoving: false))
        #expect(start.firstClaims == HeartbeatClaims(sessionID: sessionID, personID: person, lessonID: lesson,
                                                     sequence: 0, issuedAt: nine))
    }

    @Test func theOldPagesNextBeatLearnsItWasReplaced() throws {
        let old = StudySessions.start(sessionID: UUID(), personID: person, lessonID: lesson, deviceID: "computer",
                                      at: at(-45), openSessions: [])
        let credited = StudyJudge.judge(session: old.session, claims: old.firstClaims, report: report(device: "computer"),
                                        material: document, lessonCredited: 0, receivedAt: at(-15), policy: policy)
        #expect(credited.isAccepted)

        let new = StudySessions.start(sessionID: sessionID, personID: person, lessonID: lesson, deviceID: "phone",
                                      at: nine, openSessions: [credited.session])
        let closedOld = try #require(new.closed.first)
        let refused = StudyJudge.judge(session: closedOld, claims: credited.nextClaims,
                                       report: report(device: "computer"), material: document, lessonCredited: 0,
                                       receivedAt: at(15), policy: policy)
        #expect(refused.rejection?.label == "已在其他页面或设备学习")
        #expect(refused.creditedSeconds == 0 && refused.nextClaims == nil)
        #expect(StudyJudge.judge(session: new.session, claims: new.firstClaims, report: report(device: "phone"),
                                 material: document, lessonCredited: 0, receivedAt: at(30), policy: policy).isAccepted)
    }
}

// MARK: - Progress

@Suite("学时进度")
struct StudyProgressTests {
    @Test func aClassHourIsFortyFiveMinutes() {
        let done = StudyProgress(creditedSeconds: 10 * 45 * 60, requiredHours: 10)
        #expect(done.earnedHours == 10 && done.remainingHours == 0 && done.isReached && done.percent == 100)
        #expect(StudyProgress(creditedSeconds: 45 * 60, requiredHours: 1, minutesPerHour: 60).earnedHours == 0.7)
        #expect(StudyProgress(creditedSeconds: 3600, requiredHours: 1, minutesPerHour: 60).isReached)
    }

    @Test func shownFiguresRoundAgainstTheLearner() {
        let almost = StudyProgress(creditedSeconds: 2699, requiredHours: 1)
        #expect(almost.earnedTenths == 9 && almost.earnedHours == 0.9)
        #expect(almost.remainingHours == 0.1)
        #expect(!almost.isReached && almost.percent == 99)

        let part = StudyProgress(creditedSeconds: 5 * 3600, requiredHours: 32) // 300 minutes = 6.67 学时
        #expect(part.earnedHours == 6.6 && part.remainingHours == 25.4 && part.percent == 20)
        #expect(StudyProgress.label(tenths: part.earnedTenths) == "6.6 学时")
        #expect(StudyProgress.tenths(of: 269.999) == 0 && StudyProgress.tenths(of: 270) == 1)
    }

    @Test func moreThanRequiredStopsAtOneHundredPercent() {
        let over = StudyProgress(creditedSeconds: 50 * 2700, requiredHours: 40)
        #expect(over.earnedHours == 50 && over.remainingHours == 0 && over.percent == 100 && over.isReached)
    }

    @Test func lessonsAddUp() {
        let progress = StudyProgress(creditedSecondsByLesson: [UUID(): 1800, UUID(): 900, UUID(): -50], requiredHours: 2)
        #expect(progress.creditedSeconds == 2700 && progress.earnedHours == 1 && progress.remainingHours == 1)
        #expect(progress.percent == 50)
    }

    @Test func manySmallCreditsReachTheBoundaryExactly() {
        let beats = Array(repeating: 0.1, count: 27_000)
        let total = beats.reduce(0, +)
        #expect(total < 2700, "floating-point drift this test is about")
        let progress = StudyProgress(creditedSeconds: total, requiredHours: 1)
        #expect(progress.isReached && progress.earnedHours == 1)
    }

    @Test func nothingRequiredIsReachedAndNonsenseCountsAsNothing() {
        let none = StudyProgress(creditedSeconds: 0, requiredHours: 0)
        #expect(none.isReached && none.percent == 100 && none.remainingHours == 0)
        for bad in [-100.0, .nan, .infinity] {
            let progress = StudyProgress(creditedSeconds: bad, requiredHours: 8)
            #expect(progress.earnedHours == 0 && progress.remainingHours == 8 && !progress.isReached && progress.percent == 0)
        }
    }
}

// MARK: - Study time to the minute

@Suite("学习时间显示")
struct StudyTimeTests {
    @Test(arguments: [
        (0.0, "0 分钟"), (59.999, "0 分钟"), (59.9996, "1 分钟"), (60, "1 分钟"), (12 * 60 + 59, "12 分钟"),
        (3599, "59 分钟"), (3600, "1 小时 00 分"), (3900, "1 小时 05 分"), (36 * 3600 + 61, "36 小时 01 分"),
        (-5, "0 分钟"), (.nan, "0 分钟"), (.infinity, "0 分钟"), (1e300, "277777777 小时 46 分"),
    ] as [(TimeInterval, String)])
    func earnedStudyRoundsDownToTheMinute(_ seconds: TimeInterval, _ label: String) {
        #expect(StudyTime.label(seconds: seconds) == label)
    }

    @Test func missingStudyRoundsUp() {
        #expect(StudyTime.label(seconds: 61, rounding: .up) == "2 分钟")
        #expect(StudyTime.label(seconds: 3540.5, rounding: .up) == "1 小时 00 分")
        #expect(StudyTime.label(seconds: 0, rounding: .up) == "0 分钟")
    }

    @Test func mediaLengthsAreToTheSecond() {
        #expect(StudyTime.mediaLength(seconds: 3) == "3 秒")
        #expect(StudyTime.mediaLength(seconds: 2.6) == "3 秒")
        #expect(StudyTime.mediaLength(seconds: 725) == "12 分 05 秒")
        #expect(StudyTime.mediaLength(seconds: 3725) == "1 小时 02 分 05 秒")
        #expect(StudyTime.mediaLength(seconds: .nan) == "0 秒")
    }
}

// MARK: - Snapshots

@Suite("学习抓拍")
struct StudySnapshotTests {
    @Test func delaysAreWholeSecondsBetweenTwoAndTenMinutes() {
        var generator = SplitMix64(seed: 11)
        let delays = (0..<2000).map { _ in SnapshotSchedule.nextDelay(using: &generator, policy: policy) }
        #expect(delays.allSatisfy { (120...600).contains($0) && $0 == $0.rounded() })
        #expect(delays.min()! < 130 && delays.max()! > 590, "spread over the whole range")
        #expect(Set(delays).count > 300)
        var fixed = SplitMix64(seed: 11)
        let custom = StudyPolicy(minimumSnapshotDelay: 60, maximumSnapshotDelay: 60)
        #expect(SnapshotSchedule.nextDelay(using: &fixed, policy: custom) == 60)
    }

    @Test func overdueAfterTheLongestDelayPlusGrace() {
        #expect(policy.snapshotDeadline == 12 * 60)
        #expect(!SnapshotSchedule.isOverdue(since: nine, at: at(720), policy: policy))
        #expect(SnapshotSchedule.isOverdue(since: nine, at: at(721), policy: policy))
    }
}

// MARK: - Anomalies

/// Beats as a person at a browser produces them: 30 s plus timer and network jitter, a snapshot
/// at entry and then at random delays, the odd hidden tab and late beat.
private func humanBeats(session: UUID = sessionID, from start: Date = nine, count: Int, device: String = "device-A",
                        ip: String = "10.0.0.8", seed: UInt64 = 1) -> [RecordedBeat] {
    var generator = SplitMix64(seed: seed)
    var beats: [RecordedBeat] = []
    var now = start
    var nextSnapshot = start
    for index in 0..<count {
        now = now.addingTimeInterval(30 + Double.random(in: 0.02...0.6, using: &generator))
        var rejection: HeartbeatRejection?
        if index % 37 == 20 { rejection = .hidden }
        if index % 53 == 30 {
            now = now.addingTimeInterval(40)
            rejection = .tooLate
        }
        let snapshot = now >= nextSnapshot
        if snapshot { nextSnapshot = now.addingTimeInterval(SnapshotSchedule.nextDelay(using: &generator, policy: policy)) }
        beats.append(RecordedBeat(sessionID: session, receivedAt: now, rejection: rejection, deviceID: device, ip: ip,
                                  snapshotTaken: snapshot))
    }
    return beats
}

private func beat(_ seconds: TimeInterval, session: UUID = sessionID, _ rejection: HeartbeatRejection? = nil,
                  device: String = "device-A", ip: String = "10.0.0.8", snapshot: Bool = true, position: Double? = nil) -> RecordedBeat {
    RecordedBeat(sessionID: session, receivedAt: at(seconds), rejection: rejection, deviceID: device, ip: ip, snapshotTaken: snapshot,
                 position: position)
}

/// Beat `index` of a 30-second rhythm with a browser's tenths-of-a-second wobble.
private func wobbly(_ index: Int) -> TimeInterval { Double(index) * 30 + Double(index * 37 % 11) * 0.03 }

/// What the app records of judged beats: the verdicts of `play`, at the times of its steps.
private func recorded(_ verdicts: [HeartbeatVerdict], _ steps: [(TimeInterval, HeartbeatReport)]) -> [RecordedBeat] {
    zip(verdicts, steps).map { verdict, step in
        RecordedBeat(sessionID: sessionID, receivedAt: at(step.0), rejection: verdict.rejection, deviceID: "device-A",
                     ip: "10.0.0.8", snapshotTaken: true, position: step.1.position)
    }
}

@Suite("学习异常报告")
struct StudyAnomalyTests {
    @Test func twoHoursOfOrdinaryStudyShowNothing() {
        let beats = humanBeats(count: 240)
        #expect(beats.filter { !$0.accepted }.count >= 8, "the sample includes everyday refusals")
        #expect(StudyAnomalyDetector.report(beats: beats, policy: policy) == [])
        // Two lessons one after the other, in any order, are still ordinary.
        let second = humanBeats(session: UUID(), from: beats.last!.receivedAt.addingTimeInterval(60), count: 100, seed: 2)
        #expect(StudyAnomalyDetector.report(beats: (second + beats).shuffled(), policy: policy) == [])
        #expect(StudyAnomalyDetector.report(beats: [], policy: policy) == [])
    }

    @Test func aLongSilenceInsideASessionIsListed() {
        let beats = [beat(30), beat(60), beat(60 + 7 * 60 + 5), beat(60 + 7 * 60 + 35), beat(60 + 7 * 60 + 35 + 301)]
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        #expect(anomalies.map(\.kind) == [.gap, .gap])
        #expect(anomalies.first?.message == "学习页面心跳中断 7 分 5 秒后恢复（2026-11-23 09:01:00 至 09:08:05）")
        #expect(anomalies.first?.start == at(60) && anomalies.first?.end == at(485))
        #expect(anomalies.first?.sessionIDs == [sessionID])
        #expect(StudyAnomalyDetector.report(beats: [beat(0), beat(300)], policy: policy) == [], "exactly the threshold is fine")
    }

    @Test func aBrowsersRegularTimerIsNoAnomaly() {
        // A real setInterval on an idle machine over a local network: a millisecond or two of
        // spread, as regular as any script. Timing alone is no evidence, so nothing is reported.
        var generator = SplitMix64(seed: 3)
        let exact = (0...240).map { index in beat(Double(index) * 30 + .random(in: 0...0.002, using: &generator), position: Double(index) * 30) }
        #expect(StudyAnomalyDetector.report(beats: exact, policy: policy) == [])
        let clockwork = (0...240).map { beat(Double($0) * 30, position: Double($0) * 30) }
        #expect(StudyAnomalyDetector.report(beats: clockwork, policy: policy) == [])
    }

    @Test func anHonestPagesPauseRewindAndEndAreNoAnomaly() {
        // The page reports one stopped beat and stops; after a seek or a pause it opens a new session.
        let watched = [beat(30, position: 30), beat(60, .wentBack, position: 12), beat(90, position: 42),
                       beat(120, .notPlaying, position: 50), beat(150, .afterEnd, position: 62), beat(180, .lessonComplete, position: 30)]
        #expect(StudyAnomalyDetector.report(beats: watched, policy: policy) == [])
    }

    @Test func aPositionStandingStillWhileBeatsKeepComingIsReported() throws {
        // The first cheat of the issue: pause the video and let the page beat. It earns nothing now…
        let steps = (1...6).map { (Double($0) * 30, report(position: 41, paused: true)) }
        let verdicts = play(clip, from: 41, moving: false, steps)
        #expect(verdicts.allSatisfy { $0.creditedSeconds == 0 && $0.rejection == .notPlaying })
        // …and the record shows it.
        let anomalies = StudyAnomalyDetector.report(beats: recorded(verdicts, steps), policy: policy)
        let stalled = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.positionStalled])
        #expect(stalled.kind.label == "视频进度停滞")
        #expect(stalled.start == at(30) && stalled.end == at(180))
        #expect(stalled.message == "连续 6 次心跳视频进度停在 41 秒处（2026-11-23 09:00:30 至 09:03:00），暂停后页面仍在发送心跳，疑似脚本挂机")

        // A page that claims to play while the position stands still says so in the message.
        let claimed = [beat(30, .notAdvancing, position: 0), beat(60, .notAdvancing, position: 0), beat(90, .notPlaying, position: 0)]
        #expect(StudyAnomalyDetector.report(beats: claimed, policy: policy).map(\.message)
            == ["连续 3 次心跳视频进度停在 0 秒处（2026-11-23 09:00:30 至 09:01:30），页面却报告正在播放，疑似篡改播放状态或脚本伪造心跳"])
        // Two in a row, or three broken by a credited beat, are a pause, not a pattern.
        #expect(StudyAnomalyDetector.report(beats: Array(claimed.prefix(2)), policy: policy) == [])
        let broken = [claimed[0], claimed[1], beat(75, position: 20), claimed[2]]
        #expect(StudyAnomalyDetector.report(beats: broken, policy: policy) == [])
    }

    @Test func beatsAfterTheEndAreReported() throws {
        let steps = [(30.0, report(position: 60)), (60, report(position: 62, ended: true)), (90, report(position: 62, ended: true)),
                     (120, report(position: 62)), (150, report(position: 62, ended: true))]
        let verdicts = play(clip, from: 30, moving: true, steps)
        #expect(verdicts.map(\.creditedSeconds) == [30, 2, 0, 0, 0])
        let anomalies = StudyAnomalyDetector.report(beats: recorded(verdicts, steps), policy: policy)
        let after = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.beatsAfterEnd])
        #expect(after.start == at(90) && after.end == at(150))
        #expect(after.message == "视频播放完毕后仍连续 3 次发送心跳（2026-11-23 09:01:30 至 09:02:30），学习页面在播放结束后即停止心跳，疑似脚本挂机")
    }

    @Test func aPositionJumpIsReported() throws {
        let steps = [(30.0, report(position: 30)), (60, report(position: 600)), (90, report(position: 630)), (120, report(position: 4000))]
        let verdicts = play(video, from: 0, moving: true, steps)
        #expect(verdicts.map(\.rejection) == [nil, .skippedAhead, nil, .pastEnd])
        let anomalies = StudyAnomalyDetector.report(beats: recorded(verdicts, steps), policy: policy)
        let jump = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.positionJump])
        #expect(jump.start == at(60) && jump.end == at(120))
        #expect(jump.message == "视频进度 2 次超出正常播放，最远到 1 小时 06 分 40 秒处（2026-11-23 09:01:00 至 09:02:00），"
            + "疑似拖动进度条或篡改播放位置，相应时段未计学时")
    }

    @Test func aPaceOtherThanOneTimesIsReported() throws {
        let steps = [(30.0, report(rate: 2, position: 60)), (60, report(position: 65)), (90, report(rate: 1.5, position: 110)),
                     (120, report(position: 140))]
        let verdicts = play(video, from: 0, moving: true, steps)
        #expect(verdicts.map(\.rejection) == [.tooFast, .tooSlow, .tooFast, nil])
        let anomalies = StudyAnomalyDetector.report(beats: recorded(verdicts, steps), policy: policy)
        let rate = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.playbackRate])
        #expect(rate.message == "3 次心跳的播放速度与 1 倍速不符（2 次报告倍速播放，1 次进度慢于播放时间；"
            + "2026-11-23 09:00:30 至 09:01:30），疑似倍速播放或篡改播放位置")
        #expect(StudyAnomalyDetector.report(beats: Array(recorded(verdicts, steps).prefix(2)), policy: policy) == [])
    }

    @Test func twoSessionsCreditedAtOnceAreReported() throws {
        let other = UUID()
        let beats = [beat(30), beat(60), beat(45, session: other), beat(75, session: other), beat(90), beat(105, session: other)]
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        let overlap = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.overlappingSessions])
        #expect(overlap.sessionIDs == [sessionID, other] && overlap.start == at(45) && overlap.end == at(90))
        #expect(overlap.message == "两个学习页面同时计入学时（2026-11-23 09:00:45 至 09:01:30），同一时间只应有一个页面计时")
    }

    @Test func creditAlternatingBetweenDevicesIsReported() throws {
        let (a1, b, a2) = (UUID(), UUID(), UUID())
        let beats = [beat(30, session: a1, device: "laptop-0123456789", ip: "10.0.0.8"),
                     beat(60, session: a1, device: "laptop-0123456789", ip: "10.0.0.8"),
                     beat(90, session: a1, .superseded, device: "laptop-0123456789", ip: "10.0.0.8"),
                     beat(80, session: b, device: "phone", ip: "172.16.0.9"),
                     beat(110, session: b, device: "phone", ip: "172.16.0.9"),
                     beat(130, session: b, .superseded, device: "phone", ip: "172.16.0.9"),
                     beat(150, session: a2, device: "laptop-0123456789", ip: "10.0.0.8")]
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        let devices = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.multipleDevices])
        #expect(devices.start == at(60) && devices.end == at(150) && Set(devices.sessionIDs) == [a1, b, a2])
        #expect(devices.message == "设备「laptop-0…」（IP 10.0.0.8）与设备「phone」（IP 172.16.0.9）在 5 分钟内交替计入学时"
            + "（2026-11-23 09:01:00 至 09:02:30），疑似多人共用账号或代学")

        // Moving once from the computer to the phone, the computer's page refused once, is ordinary.
        #expect(StudyAnomalyDetector.report(beats: Array(beats.prefix(5)), policy: policy) == [])
        // Coming back to the computer an hour later is too.
        let later = beats.prefix(5) + [beat(3600, session: a2, device: "laptop-0123456789")]
        #expect(StudyAnomalyDetector.report(beats: Array(later), policy: policy) == [])
    }

    @Test func aTokenCopiedToAnotherDeviceIsReported() throws {
        let beats = [beat(30), beat(60), beat(90, .anotherDevice, device: "device-B", ip: "192.168.1.2")]
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        let copied = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.multipleDevices])
        #expect(copied.start == at(90) && copied.end == at(90))
        #expect(copied.message == "同一学习页面的心跳来自 2 台设备（设备「device-A」（IP 10.0.0.8）、设备「device-B」（IP 192.168.1.2）），"
            + "学习凭证被复制到其他设备（2026-11-23 09:01:30）")
    }

    @Test func repeatedRefusalsAreCountedByReason() throws {
        let replays = [beat(30), beat(31, .replayed), beat(32, .replayed), beat(33, .replayed)]
        let anomalies = StudyAnomalyDetector.report(beats: replays, policy: policy)
        let refused = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.rejectedHeartbeats])
        #expect(refused.message == "心跳被拒绝 3 次，原因：学习凭证已使用过，疑似伪造或篡改（2026-11-23 09:00:31 至 09:00:33）")
        #expect(StudyAnomalyDetector.report(beats: Array(replays.prefix(3)), policy: policy) == [])

        let hidden = (1...20).map { beat(wobbly($0), $0.isMultiple(of: 2) ? .hidden : nil) }
            + (21...40).map { beat(wobbly($0), .hidden) }
        let counted = StudyAnomalyDetector.report(beats: hidden, policy: policy)
        #expect(counted.map(\.message) == ["心跳被拒绝 30 次，原因：学习页面不在前台（2026-11-23 09:01:00 至 09:20:00）"])
        let fewer = Array(hidden.prefix(20)) + (21...29).map { beat(wobbly($0), .hidden) } // 19 refusals
        #expect(StudyAnomalyDetector.report(beats: fewer, policy: policy) == [])
    }

    @Test func creditWithoutSnapshotsIsReported() throws {
        // One snapshot at entry, then twenty minutes of credited beats without one.
        let beats = (1...40).map { beat(wobbly($0), snapshot: $0 == 1) }
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        let missing = try #require(anomalies.first)
        #expect(anomalies.map(\.kind) == [.missingSnapshot])
        #expect(missing.start == beats.first?.receivedAt && missing.end == beats.last?.receivedAt)
        #expect(missing.message == "连续 19 分 30 秒计入学时但未抓拍人脸照片（2026-11-23 09:00:30 至 09:20:00），"
            + "应每 2 至 10 分钟随机抓拍一次")

        // A snapshot in time resets the clock; refused beats past the deadline need none.
        let withSnapshot = (1...40).map { beat(wobbly($0), snapshot: $0 == 1 || $0 == 20) }
        #expect(StudyAnomalyDetector.report(beats: withSnapshot, policy: policy) == [])
        let idleAfterwards = (1...40).map { beat(wobbly($0), $0 > 24 ? .idle : nil, snapshot: $0 == 1) }
        #expect(StudyAnomalyDetector.report(beats: idleAfterwards, policy: policy) == [],
                "no credit went without a snapshot, and sixteen idle beats are below the count")
    }

    @Test func anomaliesComeInTimeOrder() {
        let beats = [beat(30), beat(31, .replayed), beat(32, .replayed), beat(33, .replayed), beat(700), beat(1500)]
        let anomalies = StudyAnomalyDetector.report(beats: beats, policy: policy)
        #expect(anomalies.map(\.kind) == [.rejectedHeartbeats, .gap, .gap])
        #expect(anomalies.map(\.start) == anomalies.map(\.start).sorted())
    }
}

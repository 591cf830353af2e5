#!/usr/bin/env python3
"""A stand-in for an ID-card reader's local service (身份证阅读器): the 实名认证 page calls
GET http://127.0.0.1:PORT/api/read and gets the card on the reader as JSON:
{"idNumber", "name", "validUntil", "photo" (base64 JPEG)}. Real readers ship such a service;
point SAFECERT_ID_READER_URL at theirs. This one answers with the card in --card (a JSON file,
re-read on every request, so a test or a demo can "place" another card), or 404 when empty.

    python3 scripts/id-reader-sim.py --port 19196 --card /tmp/card.json
"""
import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=19196)
    parser.add_argument("--card", required=True, help="JSON file with idNumber, name, validUntil, photo")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def send(self, status, body):
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path.split("?")[0] != "/api/read":
                return self.send(404, {"error": "not found"})
            if not os.path.exists(args.card) or os.path.getsize(args.card) == 0:
                return self.send(404, {"error": "阅读器上没有证件"})
            with open(args.card, encoding="utf-8") as f:
                return self.send(200, json.load(f))

        def log_message(self, *a):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()

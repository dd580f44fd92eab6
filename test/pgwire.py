#!/usr/bin/env python3
"""test/pgwire.py -- run one query over PostgreSQL's extended protocol with a
row limit on Execute, as JDBC's Statement.setMaxRows and other drivers'
fetch sizes do, with only the standard library.

usage: pgwire.py MAX_ROWS SQL   (PGHOST: a socket directory; PGPORT, PGUSER,
                                 PGDATABASE as for psql; trust authentication)

Sends Parse, Bind, Execute(MAX_ROWS), Sync and prints, one per line:
  row <first column's text>     for each DataRow
  suspended                     PortalSuspended: the row limit was reached
  complete <tag>                CommandComplete: the portal ran out of rows
  notice <message>              a NoticeResponse's message (M field)
  error <SQLSTATE> <message>    an ErrorResponse
Exit status 0 unless the connection failed.
"""
import os
import socket
import struct
import sys


def fields(body):
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return out


def main():
    max_rows, sql = int(sys.argv[1]), sys.argv[2]
    host = os.environ.get("PGHOST", "/var/run/postgresql")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    db = os.environ.get("PGDATABASE", user)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(os.path.join(host, ".s.PGSQL.%s" % port))
    params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
    sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
    buf = b""

    def message():
        nonlocal buf
        while len(buf) < 5 or len(buf) < 1 + struct.unpack("!i", buf[1:5])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            buf += chunk
        kind, length = buf[:1], struct.unpack("!i", buf[1:5])[0]
        body, buf = buf[5:1 + length], buf[1 + length:]
        return kind, body

    def msg(kind, body):
        return kind + struct.pack("!i", 4 + len(body)) + body

    while True:
        kind, body = message()
        if kind == b"R" and struct.unpack("!i", body[:4])[0] != 0:
            raise SystemExit("only trust authentication is supported")
        if kind == b"E":
            f = fields(body)
            print("error", f.get("C"), f.get("M"))
            return
        if kind == b"Z":
            break
    sock.sendall(msg(b"P", b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0)) +
                 msg(b"B", b"\0\0" + struct.pack("!hhh", 0, 0, 0)) +
                 msg(b"E", b"\0" + struct.pack("!i", max_rows)) +
                 msg(b"S", b""))
    while True:
        kind, body = message()
        if kind == b"D":
            n = struct.unpack("!h", body[:2])[0]
            length = struct.unpack("!i", body[2:6])[0] if n else -1
            print("row", "NULL" if length < 0 else body[6:6 + length].decode())
        elif kind == b"s":
            print("suspended")
        elif kind == b"C":
            print("complete", body.rstrip(b"\0").decode())
        elif kind == b"N":
            print("notice", fields(body).get("M"))
        elif kind == b"E":
            f = fields(body)
            print("error", f.get("C"), f.get("M"))
        elif kind == b"Z":
            break
    sock.sendall(msg(b"X", b""))
    sock.close()


if __name__ == "__main__":
    main()

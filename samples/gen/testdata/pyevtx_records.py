# Reads an .evtx file with python-evtx (the library behind evtx_dump.py)
# and prints one line per record: "OK <xml>" with the record's XML on one
# line (newlines inside values escaped as &#10;), or "ERR <record number>
# <exception>" when python-evtx cannot decode it. evtx_dump.py itself
# stops at the first such record; wrapping each record keeps the rest.
import sys
import Evtx.Evtx as evtx

with evtx.Evtx(sys.argv[1]) as log:
    for chunk in log.chunks():
        for rec in chunk.records():
            try:
                x = rec.xml()
            except Exception as e:  # noqa: BLE001 - report and go on
                print("ERR", rec.record_num(), type(e).__name__, str(e).replace("\n", " "))
                continue
            print("OK", x.replace("\r", "&#13;").replace("\n", "&#10;"))

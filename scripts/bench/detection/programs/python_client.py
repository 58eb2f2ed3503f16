"""python-requests or httpx for bench:detection: one Session/Client (each keeps a cookie jar by
default), fetching each path in turn, --gap-ms apart, with the User-Agent a scraper sets.
Usage: python python_client.py --library requests|httpx --base URL --gap-ms G --user-agent UA PATH...
"""
import argparse
import time

parser = argparse.ArgumentParser()
parser.add_argument("--library", choices=["requests", "httpx"], required=True)
parser.add_argument("--base", required=True)
parser.add_argument("--gap-ms", type=float, default=0)
parser.add_argument("--user-agent")
parser.add_argument("paths", nargs="+")
args = parser.parse_args()

if args.library == "requests":
    import requests

    client = requests.Session()
else:
    import httpx

    client = httpx.Client()
if args.user_agent:
    client.headers["User-Agent"] = args.user_agent
for i, path in enumerate(args.paths):
    if i > 0:
        time.sleep(args.gap_ms / 1000)
    client.get(args.base + path).raise_for_status()
client.close()

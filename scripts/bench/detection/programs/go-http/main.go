// Go's net/http for bench:detection: http.DefaultClient (no cookie jar, as Go has none by
// default), fetching each path in turn, -gap-ms apart, with the User-Agent a scraper sets.
// Usage: go-http -base URL -gap-ms G -user-agent UA PATH...
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	base := flag.String("base", "", "site URL")
	gapMs := flag.Int("gap-ms", 0, "milliseconds between requests")
	userAgent := flag.String("user-agent", "", "User-Agent header")
	flag.Parse()
	if *base == "" {
		fmt.Fprintln(os.Stderr, "go-http: -base is required")
		os.Exit(2)
	}
	for i, path := range flag.Args() {
		if i > 0 {
			time.Sleep(time.Duration(*gapMs) * time.Millisecond)
		}
		req, err := http.NewRequest("GET", *base+path, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "go-http:", err)
			os.Exit(1)
		}
		if *userAgent != "" {
			req.Header.Set("User-Agent", *userAgent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, "go-http:", err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

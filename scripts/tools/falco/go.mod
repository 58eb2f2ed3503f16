module session-scorer/tools/falco

go 1.24.3

require github.com/ysugimoto/falco v1.21.1

require (
	github.com/BurntSushi/toml v1.3.2 // indirect
	github.com/avct/uasurfer v0.0.0-20191028135549-26b5daa857f1 // indirect
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/c-bata/go-prompt v0.2.6 // indirect
	github.com/fatih/color v1.12.0 // indirect
	github.com/fsnotify/fsnotify v1.7.0 // indirect
	github.com/gdamore/encoding v1.0.0 // indirect
	github.com/gdamore/tcell/v2 v2.6.0 // indirect
	github.com/go-ini/ini v1.67.0 // indirect
	github.com/go-yaml/yaml v2.1.0+incompatible // indirect
	github.com/gobwas/glob v0.2.3 // indirect
	github.com/google/go-dap v0.12.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/k0kubun/pp v3.0.1+incompatible // indirect
	github.com/kyokomi/emoji v2.2.4+incompatible // indirect
	github.com/lucasb-eyer/go-colorful v1.2.0 // indirect
	github.com/mattn/go-colorable v0.1.8 // indirect
	github.com/mattn/go-isatty v0.0.12 // indirect
	github.com/mattn/go-runewidth v0.0.14 // indirect
	github.com/mattn/go-tty v0.0.3 // indirect
	github.com/olekukonko/tablewriter v0.0.5 // indirect
	github.com/pierrec/xxHash v0.1.5 // indirect
	github.com/pion/dtls/v2 v2.2.12 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/pkg/term v1.2.0-beta.2 // indirect
	github.com/pquerna/otp v1.4.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20200410134404-eec4a21b6bb0 // indirect
	github.com/rivo/tview v0.0.0-20230814110005-ccc2c8119703 // indirect
	github.com/rivo/uniseg v0.4.3 // indirect
	github.com/rs/xid v1.5.0 // indirect
	github.com/ysugimoto/twist v0.10.2 // indirect
	go.elara.ws/pcre v0.0.0-20230805032557-4ce849193f64 // indirect
	golang.org/x/sync v0.12.0 // indirect
	golang.org/x/sys v0.31.0 // indirect
	golang.org/x/term v0.30.0 // indirect
	golang.org/x/text v0.23.0 // indirect
	modernc.org/libc v1.17.0 // indirect
	modernc.org/mathutil v1.4.1 // indirect
	modernc.org/memory v1.2.0 // indirect
)

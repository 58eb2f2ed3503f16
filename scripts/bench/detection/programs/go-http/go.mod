module benchdetection/gohttp

go 1.22

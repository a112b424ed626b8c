module github.com/supervise-go/supervisor

go 1.26

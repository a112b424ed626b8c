module github.com/supervise-go/supervisor

go 1.26

require (
	github.com/stretchr/testify v1.12.1 // indirect
	gopkg.in/ini.v1 v1.67.3 // indirect
)

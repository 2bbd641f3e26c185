package model

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go"

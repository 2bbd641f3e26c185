package optim

//go:generate sh -c "/usr/bin/python3 testdata/adamref.py | gofmt > adamref_data_test.go"

package optim

//go:generate sh -c "/usr/bin/python3 testdata/adamref.py > adamref_data_test.go"

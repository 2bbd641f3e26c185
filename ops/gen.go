package ops

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py > torchref_data_test.go"

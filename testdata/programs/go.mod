module gotrace/testdata/programs

go 1.21

module gosortcheck

go 1.22

module stguard.invalid/capi

go 1.19

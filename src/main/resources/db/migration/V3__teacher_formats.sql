-- Teachers come as the service's own archives or as TorchScript modules.
alter table teachers add column format text not null default 'KDDM' check (format in ('KDDM', 'TORCHSCRIPT'));
alter table teachers alter column format drop default;

-- Teachers may also come as safetensors state dicts of a catalog architecture, named as torchvision names them.
alter table teachers drop constraint teachers_format_check;
alter table teachers add constraint teachers_format_check check (format in ('KDDM', 'TORCHSCRIPT', 'SAFETENSORS'));
